using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.Scep;

/// <summary>
/// micromdm's <c>scepclient</c> (Debian package <c>scep</c>) against a running <c>amipki serve</c>: PKCSReq with a one-time
/// challenge, RenewalReq signed with the current certificate (scepclient renews when it finds its certificate), a
/// wrong challenge refused with badRequest, and a request without challenge held PENDING until an admin approves it. Each enrollment runs in a fresh directory: scepclient reuses files it finds.
/// </summary>
public sealed class ScepClientInteropTests
{
    private AmiPkiServer _server = null!;
    private string _fingerprint = "";

    [OneTimeSetUp]
    public async Task Start()
    {
        ScepPeers.RequireInstalled();
        _server = await ScepPeers.StartServerAsync();
        (_, _fingerprint) = await ScepPeers.RaAsync(_server);
    }

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    private Task<ProcessResult> ScepClientAsync(string directory, string? challenge, string commonName, string path = "/scep")
    {
        string[] challengeArguments = challenge is null ? [] : ["-challenge", challenge];
        return ExternalProcess.RunAsync("scepclient",
            ["-server-url", _server.HttpBase + path, "-private-key", Path.Combine(directory, "key.pem"), "-cn", commonName,
                "-ca-fingerprint", _fingerprint, .. challengeArguments],
            timeout: TimeSpan.FromSeconds(90), workingDirectory: directory);
    }

    [Test]
    public async Task Enrollment_then_renewal_verify_with_openssl()
    {
        var directory = ScepPeers.FreshDirectory(_server, "scepclient");
        var challenge = await ScepPeers.AddChallengeAsync(_server);

        var enroll = await ScepClientAsync(directory, challenge, "switch-01");
        Assert.That(enroll.ExitCode, Is.EqualTo(0), enroll.Describe() + "\n" + _server.Log);
        var certificate = Path.Combine(directory, "client.pem");
        var first = await ScepPeers.VerifyAsync(_server, certificate);
        Assert.That(first, Does.Contain("CN = switch-01"));

        // Same directory: scepclient finds client.pem and sends a RenewalReq signed with it (no challenge).
        var renew = await ScepClientAsync(directory, null, "switch-01");
        Assert.That(renew.ExitCode, Is.EqualTo(0), renew.Describe() + "\n" + _server.Log);
        var second = await ScepPeers.VerifyAsync(_server, certificate);
        Assert.That(second, Does.Contain("CN = switch-01"));
        Assert.That(second.Split('\n')[0], Is.Not.EqualTo(first.Split('\n')[0]), "a new serial");
    }

    [Test]
    public async Task The_legacy_cgi_path_enrolls_too()
    {
        var directory = ScepPeers.FreshDirectory(_server, "scepclient-cgi");
        var challenge = await ScepPeers.AddChallengeAsync(_server);
        var enroll = await ScepClientAsync(directory, challenge, "switch-cgi", "/cgi-bin/pkiclient.exe");
        Assert.That(enroll.ExitCode, Is.EqualTo(0), enroll.Describe());
        await ScepPeers.VerifyAsync(_server, Path.Combine(directory, "client.pem"));
    }

    [Test]
    public async Task A_wrong_challenge_is_refused_with_badRequest_and_nothing_issued()
    {
        var directory = ScepPeers.FreshDirectory(_server, "scepclient-wrong");
        var refused = await ScepClientAsync(directory, "0123456789.00000000000000000000000000000000", "switch-wrong");
        Assert.That(refused.ExitCode, Is.Not.EqualTo(0), refused.Describe());
        Assert.That(refused.StandardOutput + refused.StandardError, Does.Contain("badRequest"));
        Assert.That(File.Exists(Path.Combine(directory, "client.pem")), Is.False);
        var list = await _server.CliAsync("list", "--profile", "network-device");
        Assert.That(list.StandardOutput, Does.Not.Contain("switch-wrong"));
    }

    [Test]
    public async Task A_request_without_challenge_is_pending_and_completes_after_approval()
    {
        var directory = ScepPeers.FreshDirectory(_server, "scepclient-held");
        // scepclient repeats its PKCSReq every 30 s while the answer is PENDING.
        var enrolling = ScepClientAsync(directory, null, "switch-held");
        await ScepPeers.ApproveWhenHeldAsync(_server, "CN=switch-held");
        var enroll = await enrolling;
        Assert.That(enroll.ExitCode, Is.EqualTo(0), enroll.Describe() + "\n" + _server.Log);
        Assert.That(enroll.StandardOutput + enroll.StandardError, Does.Contain("PENDING"));
        Assert.That(await ScepPeers.VerifyAsync(_server, Path.Combine(directory, "client.pem")), Does.Contain("CN = switch-held"));
    }

    [Test]
    public async Task A_used_one_time_challenge_is_refused()
    {
        var challenge = await ScepPeers.AddChallengeAsync(_server);
        var first = await ScepClientAsync(ScepPeers.FreshDirectory(_server, "scepclient-once"), challenge, "switch-once-a");
        Assert.That(first.ExitCode, Is.EqualTo(0), first.Describe());
        var second = await ScepClientAsync(ScepPeers.FreshDirectory(_server, "scepclient-twice"), challenge, "switch-once-b");
        Assert.That(second.ExitCode, Is.Not.EqualTo(0), second.Describe());
        Assert.That(second.StandardOutput + second.StandardError, Does.Contain("badRequest"));
    }
}
