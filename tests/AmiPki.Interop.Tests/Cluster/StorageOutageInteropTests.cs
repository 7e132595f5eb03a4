using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.Cluster;

/// <summary>
/// Readiness and storage outages against a real <c>amipki serve</c> on a PostgreSQL cluster of this fixture's own
/// (<c>scripts/postgres-test-cluster.sh</c>: pausing it must not disturb the run's shared cluster): <c>/health/ready</c>
/// is 200 naming the node and the storage; with PostgreSQL stopped, <c>/health</c> stays 200 (liveness) while readiness is
/// 503 with Retry-After, EST (curl) 503 with Retry-After, OCSP (<c>openssl ocsp</c>) tryLater and CMP (<c>openssl cmp</c>)
/// systemUnavail; PostgreSQL started again, the node is ready and serves again. A second <c>amipki serve</c> under the live
/// node's name is refused at start with one line.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(600_000)]
public sealed partial class StorageOutageInteropTests
{
    private const string Node = "outage-a";
    private const string Account = "outage-hes";
    private const string Reference = "dcu-outage";
    private static readonly TimeSpan ResumeLimit = TimeSpan.FromSeconds(60);

    private string _script = null!;
    private string _clusterDirectory = null!;
    private Dictionary<string, string> _environment = null!;
    private AmiPkiServer _server = null!;
    private string _work = null!;
    private string _estSecret = null!;
    private string _cmpSecret = null!;
    private string _issuerPem = null!;
    private bool _paused;

    private string File(string name) => Path.Combine(_work, name);

    [OneTimeSetUp]
    public async Task Start()
    {
        _script = Path.Combine(RepositoryRoot(), "scripts", "postgres-test-cluster.sh");
        var started = await ExternalProcess.RunAsync("bash", [_script, "start"], null, TimeSpan.FromSeconds(120));
        Assert.That(started.ExitCode, Is.EqualTo(0), started.Describe());
        var values = started.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('=', 2)).Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => parts[1].Trim('\''), StringComparer.Ordinal);
        _clusterDirectory = values["AMIPKI_PG_DIR"];
        // Short connect timeout: while the server is down, each attempt fails fast (a unix socket that is gone fails at once anyway).
        _environment = new Dictionary<string, string>
        {
            ["AMIPKI_POSTGRES"] = values["AMIPKI_POSTGRES"] + ";Timeout=3",
            ["AMIPKI_NodeName"] = Node,
        };
        _server = await AmiPkiServer.StartAsync(https: true, environment: _environment);
        _work = Path.Combine(_server.DataDirectory, "outage");
        Directory.CreateDirectory(_work);

        var est = await _server.CliAsync("est-account", "add", "--name", Account, "--allowed-profiles", "hes-client");
        Assert.That(est.ExitCode, Is.EqualTo(0), est.Describe());
        _estSecret = SecretLine().Match(est.StandardOutput).Groups[1].Value;
        var cmp = await _server.CliAsync("cmp-credentials", "add", "--ref", Reference, "--profile", "dcu", "--reusable");
        Assert.That(cmp.ExitCode, Is.EqualTo(0), cmp.Describe());
        _cmpSecret = SecretLine().Match(cmp.StandardOutput).Groups[1].Value;

        _issuerPem = File("issuing-s1.pem");
        await ExternalProcess.RunCheckedAsync("curl", "-sS", "--fail", "-o", File("issuing-s1.cer"), $"{_server.HttpBase}/ca/issuing-s1.cer");
        await ExternalProcess.RunCheckedAsync("openssl", "x509", "-inform", "DER", "-in", File("issuing-s1.cer"), "-out", _issuerPem);
        await ExternalProcess.RunCheckedAsync("openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", File("hes.key"), "-subj", "/CN=hes-outage.example", "-outform", "DER", "-out", File("hes.csr.der"));
        await ExternalProcess.RunCheckedAsync("openssl", "base64", "-in", File("hes.csr.der"), "-out", File("hes.csr.b64"));
        await ExternalProcess.RunCheckedAsync("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", File("dcu.key"));
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        if (_clusterDirectory is not null)
        {
            await ExternalProcess.RunAsync("bash", [_script, "stop", _clusterDirectory], null, TimeSpan.FromSeconds(120));
        }
    }

    [Test, Order(1)]
    public async Task Readiness_is_200_naming_the_node_and_the_storage_when_storage_answers()
    {
        var (status, headers, body) = await GetAsync("/health/ready");
        Assert.That(status, Is.EqualTo("200"), headers + body);
        Assert.That(body, Does.Contain("\"status\":\"ready\"").And.Contain($"\"node\":\"{Node}\"").And.Contain("\"storage\":\"postgres\""), body);
        var (estStatus, _, estBody) = await EnrollAsync("baseline");
        Assert.That(estStatus, Is.EqualTo("200"), estBody);
    }

    [Test, Order(2)]
    public async Task A_second_node_under_a_live_nodes_name_is_refused_at_start_with_one_line()
    {
        var ports = new[] { FreePort.Tcp(), FreePort.Tcp() };
        var watch = Stopwatch.StartNew();
        var second = await ExternalProcess.RunAsync("dotnet", [RepositoryPaths.AmiPkiDll, "serve", "--data", _server.DataDirectory, "--profiles", RepositoryPaths.Profiles,
                "--listen", "127.0.0.1", "--http-port", ports[0].ToString(CultureInfo.InvariantCulture), "--https-port", ports[1].ToString(CultureInfo.InvariantCulture),
                "--coaps-port", "0"],
            null, TimeSpan.FromSeconds(90), new Dictionary<string, string>(AmiPkiServer.Environment.Concat(_environment)));
        Assert.That(second.ExitCode, Is.Not.EqualTo(0), second.Describe());
        var lines = second.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), second.Describe());
        Assert.That(lines[0], Does.Match($@"^amipki: node name '{Node}' is held by a live process \(pid {_server.ProcessId} on .+\) since \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\dZ"),
            second.Describe());
        TestContext.Out.WriteLine($"refused in {watch.Elapsed.TotalSeconds:0.0} s: {lines[0]}");
        // The first node is untouched.
        var (status, _, body) = await GetAsync("/health/ready");
        Assert.That(status, Is.EqualTo("200"), body);
    }

    [Test, Order(3)]
    public async Task With_PostgreSQL_stopped_every_protocol_says_try_later_and_service_resumes_when_it_is_back()
    {
        await PauseAsync();

        var (live, _, liveBody) = await GetAsync("/health");
        Assert.That(live, Is.EqualTo("200"), "liveness does not depend on storage: " + liveBody);

        var (ready, readyHeaders, readyBody) = await GetAsync("/health/ready");
        Assert.That(ready, Is.EqualTo("503"), readyBody);
        Assert.That(readyBody, Does.Contain("\"status\":\"unavailable\"").And.Contain("\"reason\":\"storage: ").And.Contain($"\"node\":\"{Node}\""), readyBody);
        Assert.That(readyHeaders, Does.Match(@"(?im)^retry-after: \d+"), readyHeaders);

        var (est, estHeaders, estBody) = await EnrollAsync("outage");
        Assert.That(est, Is.EqualTo("503"), estHeaders + estBody);
        Assert.That(estHeaders, Does.Match(@"(?im)^retry-after: \d+"), estHeaders);

        var ocsp = await ExternalProcess.RunAsync("openssl", ["ocsp", "-issuer", _issuerPem, "-serial", "0x" + Convert.ToHexString(Guid.NewGuid().ToByteArray()),
            "-no_nonce", "-url", $"{_server.HttpBase}/ocsp", "-CAfile", _server.RootPemPath], null, TimeSpan.FromSeconds(60));
        Assert.That(ocsp.StandardOutput + ocsp.StandardError, Does.Contain("trylater").IgnoreCase, ocsp.Describe());

        // Unprotected: the shared secret that would MAC the answer is in the storage that is down (RFC 4210 §5.1.3.5 lets
        // a client accept such an error; openssl needs -unprotected_errors for it).
        var cmp = await CmpAsync("DCU-OUTAGE-1", "-unprotected_errors");
        Assert.That(cmp.ExitCode, Is.Not.EqualTo(0), cmp.Describe());
        Assert.That(cmp.StandardOutput + cmp.StandardError, Does.Contain("systemUnavail"), cmp.Describe());
        Assert.That(_server.Log, Does.Not.Contain("answered internalError"), "no OCSP internalError during the outage");

        await ResumeAsync();
        var until = DateTime.UtcNow + ResumeLimit;
        string status;
        do
        {
            await Task.Delay(500);
            (status, _, _) = await GetAsync("/health/ready");
        }
        while (status != "200" && DateTime.UtcNow < until);
        Assert.That(status, Is.EqualTo("200"), $"not ready within {ResumeLimit} of PostgreSQL's return:\n{_server.Log}");

        string enrolled;
        string enrolledBody;
        do
        {
            (enrolled, _, enrolledBody) = await EnrollAsync("resumed");
        }
        while (enrolled != "200" && DateTime.UtcNow < until && await Delay());
        Assert.That(enrolled, Is.EqualTo("200"), enrolledBody);
        var resumed = await CmpAsync("DCU-RESUMED-1");
        Assert.That(resumed.ExitCode, Is.EqualTo(0), resumed.Describe());
        var good = await ExternalProcess.RunAsync("openssl", ["ocsp", "-issuer", _issuerPem, "-cert", File("DCU-RESUMED-1.pem"), "-no_nonce",
            "-url", $"{_server.HttpBase}/ocsp", "-CAfile", _server.RootPemPath], null, TimeSpan.FromSeconds(60));
        Assert.That(good.StandardOutput, Does.Contain(": good"), good.Describe());
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(500);
        return true;
    }

    private async Task PauseAsync()
    {
        var paused = await ExternalProcess.RunAsync("bash", [_script, "pause", _clusterDirectory], null, TimeSpan.FromSeconds(90));
        Assert.That(paused.ExitCode, Is.EqualTo(0), paused.Describe());
        _paused = true;
    }

    private async Task ResumeAsync()
    {
        var resumed = await ExternalProcess.RunAsync("bash", [_script, "resume", _clusterDirectory], null, TimeSpan.FromSeconds(90));
        Assert.That(resumed.ExitCode, Is.EqualTo(0), resumed.Describe());
        _paused = false;
    }

    [TearDown]
    public async Task ResumeIfPaused()
    {
        if (_paused)
        {
            await ResumeAsync();
        }
    }

    /// <summary>Status code, response headers and body of a GET on the HTTP listener.</summary>
    private async Task<(string Status, string Headers, string Body)> GetAsync(string path) =>
        await CurlAsync([$"{_server.HttpBase}{path}"], "get");

    private async Task<(string Status, string Headers, string Body)> EnrollAsync(string name) =>
        await CurlAsync(["--cacert", _server.RootPemPath, "--user", $"{Account}:{_estSecret}", "-H", "Content-Type: application/pkcs10",
            "--data-binary", $"@{File("hes.csr.b64")}", $"{_server.HttpsBase}/.well-known/est/simpleenroll"], name);

    private async Task<(string Status, string Headers, string Body)> CurlAsync(string[] arguments, string name)
    {
        var id = name + "-" + Guid.NewGuid().ToString("N")[..8];
        var headers = File(id + ".headers");
        var body = File(id + ".body");
        var result = await ExternalProcess.RunAsync("curl", ["-sS", "--max-time", "30", "-D", headers, "-o", body, "-w", "%{http_code}", .. arguments],
            null, TimeSpan.FromSeconds(60));
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Describe());
        return (result.StandardOutput.Trim(), await System.IO.File.ReadAllTextAsync(headers), System.IO.File.Exists(body) ? await System.IO.File.ReadAllTextAsync(body) : "");
    }

    private Task<ProcessResult> CmpAsync(string subject, params string[] extra) =>
        ExternalProcess.RunAsync("openssl", ["cmp", "-server", $"127.0.0.1:{_server.HttpPort}/.well-known/cmp", "-cmd", "ir", "-recipient", "/CN=AmiPki",
            "-ref", Reference, "-secret", "pass:" + _cmpSecret, "-newkey", File("dcu.key"), "-subject", "/CN=" + subject, "-implicit_confirm",
            "-certout", File(subject + ".pem"), .. extra], null, TimeSpan.FromSeconds(60));

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(directory.FullName, "scripts", "postgres-test-cluster.sh")))
            {
                return directory.FullName;
            }
        }
        throw new FileNotFoundException($"scripts/postgres-test-cluster.sh not found above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex(@"secret \(shown once\): (\S+)")]
    private static partial Regex SecretLine();
}
