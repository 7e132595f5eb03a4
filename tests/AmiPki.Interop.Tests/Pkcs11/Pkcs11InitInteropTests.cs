using System.Globalization;
using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.Pkcs11;

/// <summary>
/// <c>amipki init --key-provider pkcs11</c> with a root token and an online token (real SoftHSM2 tokens), then
/// <c>amipki issue</c> and <c>amipki serve</c> signing on the online token; checked by openssl and opensc's pkcs11-tool.
/// </summary>
public sealed class Pkcs11InitInteropTests
{
    [Test]
    public async Task Init_puts_the_root_on_its_token_and_issuing_keys_on_the_online_token_and_issued_certificates_verify()
    {
        var root = await SoftHsm.CreateTokenAsync("init-root");
        var online = await SoftHsm.CreateTokenAsync("init-online");
        var environment = SoftHsm.ProcessEnvironment(online, root);
        using var cli = new Pkcs11Cli();

        var init = await cli.AmiPkiCheckedAsync(environment, "init", "--key-provider", "pkcs11");
        Assert.That(init.StandardOutput, Does.Contain($"pkcs11:token={root.Label};object=root;"));
        Assert.That(init.StandardOutput, Does.Contain($"pkcs11:token={online.Label};object=issuing-s1;"));
        await cli.AmiPkiCheckedAsync(environment, "chain", "--out", cli.File("root.pem"));
        await cli.AmiPkiCheckedAsync(environment, "chain", "--with-issuing", "--out", cli.File("chain.pem"));

        // The CLI issues with the online token alone: the root token is not even configured.
        var csr = await cli.MeterCsrAsync("meter", "4D4D4D0000BC6150");
        await cli.AmiPkiCheckedAsync(SoftHsm.ProcessEnvironment(online), "issue", "--profile", "meter-s1-signing", "--csr", csr, "--out", cli.File("meter.pem"));
        var verify = await cli.OpenSslAsync("verify", "-x509_strict", "-CAfile", cli.File("root.pem"), "-untrusted", cli.File("chain.pem"), cli.File("meter.pem"));
        Assert.That(verify.ExitCode, Is.EqualTo(0), verify.Describe());
        Assert.That(verify.StandardOutput, Does.Contain("meter.pem: OK"));

        var onRoot = await SoftHsm.ListPrivateKeysAsync(root);
        var onOnline = await SoftHsm.ListPrivateKeysAsync(online);
        Assert.That(onRoot, Does.Match(@"label:\s+root\s"));
        Assert.That(onRoot, Does.Not.Contain("issuing-"));
        Assert.That(onOnline, Does.Match(@"label:\s+issuing-s1\s").And.Match(@"label:\s+issuing-s2\s"));
        Assert.That(onOnline, Does.Not.Match(@"label:\s+root\s"));
    }

    [Test]
    public async Task Serve_with_pkcs11_keys_answers_health_and_publishes_a_crl_signed_on_the_token()
    {
        var root = await SoftHsm.CreateTokenAsync("serve-root");
        var online = await SoftHsm.CreateTokenAsync("serve-online");
        await using var server = await AmiPkiServer.StartAsync(environment: SoftHsm.ProcessEnvironment(online, root), initArguments: ["--key-provider", "pkcs11"]);

        using var client = new HttpClient();
        using var health = await client.GetAsync($"{server.HttpBase}/health");
        var body = await health.Content.ReadAsStringAsync();
        Assert.That(health.IsSuccessStatusCode, Is.True, body);
        Assert.That(body, Does.Contain("\"ok\"").And.Contain("issuing-s1").And.Contain("issuing-s2"));

        var crl = Path.Combine(server.DataDirectory, "issuing-s1.crl");
        await File.WriteAllBytesAsync(crl, await client.GetByteArrayAsync($"{server.HttpBase}/crl/issuing-s1.crl"));
        var check = await ExternalProcess.RunAsync("openssl", ["crl", "-inform", "DER", "-in", crl, "-CAfile", server.ChainPemPath, "-noout"]);
        Assert.That(check.ExitCode, Is.EqualTo(0), check.Describe());
        Assert.That(check.StandardOutput + check.StandardError, Does.Contain("verify OK"));
    }

    [Test]
    public async Task Wrong_pin_makes_issue_and_serve_fail_with_one_line_naming_the_token_and_CKR_PIN_INCORRECT()
    {
        var root = await SoftHsm.CreateTokenAsync("pin-root");
        var online = await SoftHsm.CreateTokenAsync("pin-online");
        using var cli = new Pkcs11Cli();
        await cli.AmiPkiCheckedAsync(SoftHsm.ProcessEnvironment(online, root), "init", "--key-provider", "pkcs11");
        var wrong = SoftHsm.ProcessEnvironment(online, onlinePin: "not-the-pin");

        var csr = await cli.MeterCsrAsync("meter", "4D4D4D0000BC6151");
        var issue = await cli.AmiPkiAsync(wrong, "issue", "--profile", "meter-s1-signing", "--csr", csr, "--out", cli.File("meter.pem"));
        Pkcs11Cli.AssertOneLineError(issue, online.Label, "CKR_PIN_INCORRECT");
        Assert.That(File.Exists(cli.File("meter.pem")), Is.False);

        var environment = new Dictionary<string, string>(AmiPkiServer.Environment);
        foreach (var (key, value) in wrong)
        {
            environment[key] = value;
        }
        var port = FreePort.Tcp().ToString(CultureInfo.InvariantCulture);
        // The server must refuse to start; the time bound only guards against a hung process, it asserts nothing.
        var serve = await ExternalProcess.RunAsync("dotnet",
            [RepositoryPaths.AmiPkiDll, "serve", "--data", cli.Path, "--profiles", RepositoryPaths.Profiles, "--listen", "127.0.0.1",
             "--http-port", port, "--https-port", "0", "--coaps-port", "0"], null, TimeSpan.FromMinutes(2), environment);
        Pkcs11Cli.AssertOneLineError(serve, online.Label, "CKR_PIN_INCORRECT");
    }
}
