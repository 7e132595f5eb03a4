namespace AmiPki.Interop.Tests.Pkcs11;

/// <summary>
/// The key ceremony on real SoftHSM2 tokens: <c>ceremony create-root</c> on the root token, <c>create-issuing</c> on the
/// online token, <c>sign-issuing</c> from the CSRs, <c>ceremony crl</c>; then <c>amipki issue</c> with the online token
/// alone. Every artefact is checked by openssl.
/// </summary>
public sealed class Pkcs11CeremonyInteropTests
{
    [Test]
    public async Task Ceremony_builds_a_hierarchy_whose_root_stays_on_its_own_token()
    {
        var root = await SoftHsm.CreateTokenAsync("cer-root");
        var online = await SoftHsm.CreateTokenAsync("cer-online");
        using var cli = new Pkcs11Cli();
        // The root PIN from a file (mode 0600) rather than the environment: configuration for most steps, the option for one.
        var pinFile = cli.File("root.pin");
        await File.WriteAllTextAsync(pinFile, root.UserPin + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(pinFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        var ceremony = SoftHsm.ProcessEnvironment(online, root);
        ceremony.Remove("AMIPKI_PKCS11_ROOT_PIN");
        ceremony["AMIPKI_Pkcs11__RootPinSource"] = "file:" + pinFile;

        await cli.AmiPkiCheckedAsync(ceremony, "ceremony", "create-root", "--common-name", "Utility Root CA", "--out", cli.File("root.pem"),
            "--pkcs11-root-pin-source", "file:" + pinFile);
        await cli.AmiPkiCheckedAsync(ceremony, "ceremony", "create-issuing", "--name", "issuing-s1", "--csr-out", cli.File("s1.csr"));
        await cli.AmiPkiCheckedAsync(ceremony, "ceremony", "create-issuing", "--name", "issuing-s2", "--algorithm", "ecP384", "--csr-out", cli.File("s2.csr"));
        var signed = await cli.AmiPkiCheckedAsync(ceremony, "ceremony", "sign-issuing", "--csr", cli.File("s1.csr"), "--name", "issuing-s1", "--out", cli.File("s1.pem"));
        Assert.That(signed.StandardOutput, Does.Contain($"pkcs11:token={online.Label};object=issuing-s1;type=private"));
        await cli.AmiPkiCheckedAsync(ceremony, "ceremony", "sign-issuing", "--csr", cli.File("s2.csr"), "--name", "issuing-s2", "--out", cli.File("s2.pem"));
        var crl = await cli.AmiPkiCheckedAsync(ceremony, "ceremony", "crl", "--pem", "--out", cli.File("root.crl"));
        Assert.That(crl.StandardOutput, Does.StartWith("CRL #"));

        // The issuing CA certificates verify under the root, and against the root's CRL (signed on the root token).
        var issuing = await cli.OpenSslAsync("verify", "-x509_strict", "-crl_check", "-CAfile", cli.File("root.pem"), "-CRLfile", cli.File("root.crl"),
            cli.File("s1.pem"), cli.File("s2.pem"));
        Assert.That(issuing.ExitCode, Is.EqualTo(0), issuing.Describe());
        var crlText = await cli.OpenSslAsync("crl", "-in", cli.File("root.crl"), "-CAfile", cli.File("root.pem"), "-noout", "-text");
        Assert.That(crlText.ExitCode, Is.EqualTo(0), crlText.Describe());
        Assert.That(crlText.StandardOutput + crlText.StandardError, Does.Contain("verify OK"));
        Assert.That(crlText.StandardOutput, Does.Contain("X509v3 CRL Number").And.Contain("Next Update").And.Contain("ecdsa-with-SHA384"));

        // Issuance needs only the online token: no root token is configured for it.
        var online1 = SoftHsm.ProcessEnvironment(online);
        var csr1 = await cli.MeterCsrAsync("meter-s1", "4D4D4D0000BC6152");
        await cli.AmiPkiCheckedAsync(online1, "issue", "--profile", "meter-s1-signing", "--csr", csr1, "--out", cli.File("meter-s1.pem"));
        var csr2 = await cli.MeterCsrAsync("meter-s2", "4D4D4D0000BC6153", "P-384");
        await cli.AmiPkiCheckedAsync(online1, "issue", "--profile", "meter-s2-signing", "--csr", csr2, "--out", cli.File("meter-s2.pem"));
        await File.WriteAllTextAsync(cli.File("issuing.pem"), await File.ReadAllTextAsync(cli.File("s1.pem")) + await File.ReadAllTextAsync(cli.File("s2.pem")));
        var meters = await cli.OpenSslAsync("verify", "-x509_strict", "-CAfile", cli.File("root.pem"), "-untrusted", cli.File("issuing.pem"),
            cli.File("meter-s1.pem"), cli.File("meter-s2.pem"));
        Assert.That(meters.ExitCode, Is.EqualTo(0), meters.Describe());
        Assert.That(meters.StandardOutput, Does.Contain("meter-s1.pem: OK").And.Contain("meter-s2.pem: OK"));

        var onRoot = await SoftHsm.ListPrivateKeysAsync(root);
        var onOnline = await SoftHsm.ListPrivateKeysAsync(online);
        Assert.That(onRoot, Does.Match(@"label:\s+root\s").And.Not.Contain("issuing-"));
        Assert.That(onOnline, Does.Match(@"label:\s+issuing-s1\s").And.Match(@"label:\s+issuing-s2\s").And.Not.Match(@"label:\s+root\s"));
    }

    [Test]
    public async Task Create_root_refuses_the_online_token_as_the_root_token()
    {
        var online = await SoftHsm.CreateTokenAsync("cer-same");
        var environment = SoftHsm.ProcessEnvironment(online, online);
        using var cli = new Pkcs11Cli();
        var result = await cli.AmiPkiAsync(environment, "ceremony", "create-root", "--out", cli.File("root.pem"));
        Assert.That(result.ExitCode, Is.Not.EqualTo(0), result.Describe());
        Assert.That(result.StandardError, Does.Contain("root token must be its own token"));
        Assert.That(File.Exists(cli.File("root.pem")), Is.False);
    }

    [Test]
    public async Task A_literal_pin_where_a_pin_source_belongs_is_refused_without_being_echoed()
    {
        var online = await SoftHsm.CreateTokenAsync("cer-lit");
        using var cli = new Pkcs11Cli();
        var result = await cli.AmiPkiAsync(SoftHsm.ProcessEnvironment(online), "init", "--key-provider", "pkcs11", "--pkcs11-pin-source", online.UserPin);
        Assert.That(result.ExitCode, Is.Not.EqualTo(0), result.Describe());
        Assert.That(result.StandardError, Does.Contain("env:VARIABLE").And.Not.Contain(online.UserPin));
    }
}
