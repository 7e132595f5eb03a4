using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.Scep;

/// <summary>
/// certmonger (Debian package <c>certmonger</c>) against a running <c>amipki serve</c>: its daemon under
/// <c>dbus-run-session</c> with every state directory in a temporary folder, <c>getcert add-scep-ca</c> then
/// <c>getcert request</c> with a one-time challenge; re-enrollment (<c>resubmit</c>, a PKCSReq signed with the current
/// certificate) and rekeying (<c>rekey</c>); a request without challenge waits for <c>amipki requests approve</c>; a
/// wrong challenge ends in CA_REJECTED.
/// </summary>
public sealed class CertmongerInteropTests
{
    private AmiPkiServer _server = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        ScepPeers.RequireInstalled();
        _server = await ScepPeers.StartServerAsync();
        // The RA is issued and stored at first use; fetched once here so that certmonger's own background GetCACert
        // (which races `getcert request`: CA_UNCONFIGURED "No RA certificate" if the request goes first) finds it ready.
        await ScepPeers.RaAsync(_server);
    }

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    /// <summary>Runs <paramref name="script"/> (sh) while a private certmonger daemon serves a private session bus.</summary>
    private static async Task<ProcessResult> WithCertmongerAsync(string state, string script)
    {
        foreach (var sub in new[] { "config", "requests", "cas", "local", "tmp" })
        {
            Directory.CreateDirectory(Path.Combine(state, sub));
        }
        var scriptPath = Path.Combine(state, $"script-{Guid.NewGuid():N}.sh");
        await File.WriteAllTextAsync(scriptPath, "set -x\n" + script);
        var environment = new Dictionary<string, string>
        {
            ["CERTMONGER_CONFIG_DIR"] = Path.Combine(state, "config"),
            ["CERTMONGER_REQUESTS_DIR"] = Path.Combine(state, "requests"),
            ["CERTMONGER_CAS_DIR"] = Path.Combine(state, "cas"),
            ["CERTMONGER_LOCAL_CA_DIR"] = Path.Combine(state, "local"),
            ["CERTMONGER_TMPDIR"] = Path.Combine(state, "tmp"),
            ["CERTMONGER_SYSTEM_LOCK_FILE"] = Path.Combine(state, "lock"),
        };
        // -s session bus, -n foreground, -B no idle exit, -c: run the script and stop when it ends.
        return await ExternalProcess.RunAsync("dbus-run-session", ["--", "certmonger", "-s", "-n", "-B", "-c", "sh " + scriptPath],
            timeout: TimeSpan.FromSeconds(150), environment: environment, workingDirectory: state);
    }

    private static async Task<string> PublicKeyHashAsync(string keyPem)
    {
        var key = await ExternalProcess.RunAsync("openssl", ["pkey", "-in", keyPem, "-pubout"]);
        Assert.That(key.ExitCode, Is.EqualTo(0), key.Describe());
        return key.StandardOutput;
    }

    [Test]
    public async Task Request_resubmit_and_rekey_verify_with_openssl()
    {
        var state = ScepPeers.FreshDirectory(_server, "certmonger");
        var challenge = await ScepPeers.AddChallengeAsync(_server);
        var key = Path.Combine(state, "key.pem");
        var certificate = Path.Combine(state, "cert.pem");

        var enroll = await WithCertmongerAsync(state, $"""
            getcert add-scep-ca -s -c AmiPki -u {_server.HttpBase}/scep
            getcert request -s -c AmiPki -I router -k {key} -f {certificate} -N CN=router-01 -D router-01.example -L {challenge} -w
            getcert list -s -i router
            """);
        Assert.That(enroll.ExitCode, Is.EqualTo(0), enroll.Describe());
        Assert.That(enroll.StandardOutput, Does.Contain("status: MONITORING"), enroll.Describe() + "\n" + _server.Log);
        var first = await ScepPeers.VerifyAsync(_server, certificate);
        Assert.That(first, Does.Contain("CN = router-01"));
        var firstKey = await PublicKeyHashAsync(key);

        // The same daemon state: certmonger re-enrolls by a PKCSReq signed with its current certificate, then rekeys.
        var resubmit = await WithCertmongerAsync(state, """
            getcert resubmit -s -i router -w
            getcert list -s -i router
            """);
        Assert.That(resubmit.StandardOutput, Does.Contain("status: MONITORING").And.Not.Contain("ca-error"), resubmit.Describe() + "\n" + _server.Log);
        var second = await ScepPeers.VerifyAsync(_server, certificate);
        Assert.That(second.Split('\n')[0], Is.Not.EqualTo(first.Split('\n')[0]), "a new serial");

        var rekey = await WithCertmongerAsync(state, """
            getcert rekey -s -i router -w
            getcert list -s -i router
            """);
        Assert.That(rekey.StandardOutput, Does.Contain("status: MONITORING").And.Not.Contain("ca-error"), rekey.Describe() + "\n" + _server.Log);
        var third = await ScepPeers.VerifyAsync(_server, certificate);
        Assert.That(third.Split('\n')[0], Is.Not.EqualTo(second.Split('\n')[0]));
        Assert.That(await PublicKeyHashAsync(key), Is.Not.EqualTo(firstKey), "a new key pair");
    }

    [Test]
    public async Task A_request_without_challenge_waits_for_approval_then_is_issued()
    {
        var state = ScepPeers.FreshDirectory(_server, "certmonger-held");
        var certificate = Path.Combine(state, "cert.pem");
        var submitted = await WithCertmongerAsync(state, $"""
            getcert add-scep-ca -s -c AmiPki -u {_server.HttpBase}/scep
            getcert request -s -c AmiPki -I held -k {Path.Combine(state, "key.pem")} -f {certificate} -N CN=router-held
            for i in $(seq 90); do getcert list -s -i held | grep -q "status: CA_WORKING\|ca-error\|CA_REJECTED\|MONITORING" && break; sleep 1; done
            getcert list -s -i held
            """);
        Assert.That(submitted.StandardOutput, Does.Contain("status: CA_WORKING"), submitted.Describe() + "\n" + _server.Log);
        Assert.That(File.Exists(certificate), Is.False);

        await ScepPeers.ApproveWhenHeldAsync(_server, "CN=router-held");
        var collected = await WithCertmongerAsync(state, """
            getcert resubmit -s -i held -w
            getcert list -s -i held
            """);
        Assert.That(collected.StandardOutput, Does.Contain("status: MONITORING"), collected.Describe() + "\n" + _server.Log);
        Assert.That(await ScepPeers.VerifyAsync(_server, certificate), Does.Contain("CN = router-held"));
    }

    [Test]
    public async Task A_wrong_challenge_is_rejected()
    {
        var state = ScepPeers.FreshDirectory(_server, "certmonger-wrong");
        var refused = await WithCertmongerAsync(state, $"""
            getcert add-scep-ca -s -c AmiPki -u {_server.HttpBase}/scep
            getcert request -s -c AmiPki -I wrong -k {Path.Combine(state, "key.pem")} -f {Path.Combine(state, "cert.pem")} -N CN=router-wrong -L wrong-challenge -w
            getcert list -s -i wrong
            """);
        Assert.That(refused.StandardOutput, Does.Contain("status: CA_REJECTED"), refused.Describe());
        // certmonger's wording of failInfo badRequest (RFC 8894 §3.2.1.4).
        Assert.That(refused.StandardOutput, Does.Contain("not permitted or is not supported"), refused.Describe());
        Assert.That(File.Exists(Path.Combine(state, "cert.pem")), Is.False);
    }
}
