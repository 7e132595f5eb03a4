using System.Diagnostics;
using System.Text;

namespace AmiPki.Interop.Tests.Support;

/// <summary>
/// A real <c>amipki serve</c> process on loopback ports, over a fresh data directory initialised with
/// <c>amipki init</c>. Tests talk to it with real clients; disposing stops it and deletes the directory.
/// </summary>
public sealed class AmiPkiServer : IAsyncDisposable
{
    /// <summary>Throwaway passphrase for the test CA's software keys (test-only; the keys die with the temp directory).</summary>
    public const string TestKeyPassphrase = "interop-test-only-passphrase";

    private readonly StringBuilder _log;
    private Process _process;
    private readonly IDictionary<string, string>? _extraEnvironment;

    private AmiPkiServer(string dataDirectory, int httpPort, int httpsPort, int coapsPort, Process process, StringBuilder log,
        IDictionary<string, string>? extraEnvironment)
    {
        _extraEnvironment = extraEnvironment;
        DataDirectory = dataDirectory;
        HttpPort = httpPort;
        HttpsPort = httpsPort;
        CoapsPort = coapsPort;
        _process = process;
        _log = log;
    }

    public string DataDirectory { get; }

    public int HttpPort { get; }

    public int HttpsPort { get; }

    public int CoapsPort { get; }

    public string HttpBase => $"http://127.0.0.1:{HttpPort}";

    public string HttpsBase => $"https://127.0.0.1:{HttpsPort}";

    /// <summary>PEM of the root CA (the trust anchor), written by <c>amipki chain</c>.</summary>
    public string RootPemPath => Path.Combine(DataDirectory, "test-root.pem");

    /// <summary>PEM of the root and the issuing CAs.</summary>
    public string ChainPemPath => Path.Combine(DataDirectory, "test-chain.pem");

    /// <summary>What the server logged so far (for assertion messages).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static IDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["AMIPKI_KEY_PASSPHRASE"] = TestKeyPassphrase,
    };

    /// <param name="https">Start the HTTPS listener too (EST); off by default to keep tests that do not need it lean.</param>
    /// <param name="coaps">Start the EST-coaps DTLS listener too.</param>
    /// <param name="beforeServe">Runs after init and before serve (register devices, credentials, ...).</param>
    /// <param name="environment">Added to <see cref="Environment"/> for init, chain and serve (e.g. a PKCS#11 token's configuration).</param>
    /// <param name="initArguments">Appended to <c>amipki init</c> (e.g. <c>--key-provider pkcs11</c>).</param>
    public static async Task<AmiPkiServer> StartAsync(bool https = false, bool coaps = false, Func<string, Task>? beforeServe = null,
        IDictionary<string, string>? environment = null, IReadOnlyList<string>? initArguments = null)
    {
        var data = Path.Combine(Path.GetTempPath(), "amipki-test-" + Guid.NewGuid().ToString("N")[..12]);
        var httpPort = FreePort.Tcp();
        var httpsPort = https ? FreePort.Tcp() : 0;
        var coapsPort = coaps ? FreePort.Udp() : 0;
        var init = await RunCliWithEnvironmentAsync(data, environment, ["init", "--base-url", $"http://127.0.0.1:{httpPort}", .. initArguments ?? []]);
        Assert.That(init.ExitCode, Is.EqualTo(0), init.Describe());
        var chain = await RunCliWithEnvironmentAsync(data, environment, "chain", "--out", Path.Combine(data, "test-root.pem"));
        Assert.That(chain.ExitCode, Is.EqualTo(0), chain.Describe());
        var fullChain = await RunCliWithEnvironmentAsync(data, environment, "chain", "--with-issuing", "--out", Path.Combine(data, "test-chain.pem"));
        Assert.That(fullChain.ExitCode, Is.EqualTo(0), fullChain.Describe());
        if (beforeServe is not null)
        {
            await beforeServe(data);
        }

        var log = new StringBuilder();
        var process = LaunchServe(data, httpPort, httpsPort, coapsPort, environment, log);
        var server = new AmiPkiServer(data, httpPort, httpsPort, coapsPort, process, log, environment);
        await server.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        return server;
    }

    /// <summary>
    /// Another node of <paramref name="first"/>'s cluster: <c>amipki serve</c> on a copy of its data directory (the same CA
    /// keys, TLS material and trust anchors; no <c>init</c>), on ports of its own, with <paramref name="environment"/> (its
    /// own node name, the shared PostgreSQL database).
    /// </summary>
    public static async Task<AmiPkiServer> StartAnotherNodeAsync(AmiPkiServer first, IDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(first);
        var data = Path.Combine(Path.GetTempPath(), "amipki-test-" + Guid.NewGuid().ToString("N")[..12]);
        CopyDirectory(first.DataDirectory, data);
        var httpPort = FreePort.Tcp();
        var httpsPort = first.HttpsPort != 0 ? FreePort.Tcp() : 0;
        var coapsPort = first.CoapsPort != 0 ? FreePort.Udp() : 0;
        var log = new StringBuilder();
        var process = LaunchServe(data, httpPort, httpsPort, coapsPort, environment, log);
        var server = new AmiPkiServer(data, httpPort, httpsPort, coapsPort, process, log, environment);
        await server.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        return server;
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    /// <summary>The line <see cref="Log"/> gets before the output of each restarted process.</summary>
    public const string RestartMarker = "----- amipki serve restarted -----";

    /// <summary>The process id of the running <c>amipki serve</c>.</summary>
    public int ProcessId => _process.Id;

    /// <summary>
    /// Kills <c>amipki serve</c> with SIGKILL (Process.Kill on Unix): no shutdown code runs, nothing is flushed, as in a
    /// crash or a power cut. The data directory stays for <see cref="RestartAsync"/>.
    /// </summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
    }

    /// <summary>Starts <c>amipki serve</c> again on the same data directory and ports (after <see cref="KillAsync"/>) and waits until healthy.</summary>
    public async Task RestartAsync()
    {
        if (!_process.HasExited)
        {
            throw new InvalidOperationException("amipki serve is still running: kill it first");
        }
        _process.Dispose();
        lock (_log)
        {
            _log.AppendLine(RestartMarker);
        }
        _process = LaunchServe(DataDirectory, HttpPort, HttpsPort, CoapsPort, _extraEnvironment, _log);
        await WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
    }

    private static Process LaunchServe(string data, int httpPort, int httpsPort, int coapsPort, IDictionary<string, string>? environment, StringBuilder log)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { RepositoryPaths.AmiPkiDll, "serve", "--data", data, "--profiles", RepositoryPaths.Profiles,
                     "--listen", "127.0.0.1", "--http-port", httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--https-port", httpsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--coaps-port", coapsPort.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in Environment.Concat(environment ?? new Dictionary<string, string>()))
        {
            start.Environment[key] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start amipki serve");
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Runs an <c>amipki</c> admin command against this server's data directory.</summary>
    public Task<ProcessResult> CliAsync(params string[] arguments) => RunCliWithEnvironmentAsync(DataDirectory, _extraEnvironment, arguments);

    public static Task<ProcessResult> RunCliAsync(string dataDirectory, params string[] arguments) =>
        RunCliWithEnvironmentAsync(dataDirectory, null, arguments);

    /// <summary>Runs an <c>amipki</c> command with <paramref name="environment"/> added to <see cref="Environment"/>.</summary>
    public static Task<ProcessResult> RunCliWithEnvironmentAsync(string dataDirectory, IDictionary<string, string>? environment, params string[] arguments)
    {
        var merged = new Dictionary<string, string>(Environment);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            merged[key] = value;
        }
        return ExternalProcess.RunAsync("dotnet", [RepositoryPaths.AmiPkiDll, .. arguments, "--data", dataDirectory, "--profiles", RepositoryPaths.Profiles],
            null, TimeSpan.FromSeconds(120), merged);
    }

    private async Task WaitUntilHealthyAsync(TimeSpan limit)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                Assert.Fail($"amipki serve exited with {_process.ExitCode} before it was healthy:\n{Log}");
            }
            try
            {
                using var response = await client.GetAsync($"{HttpBase}/health");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Slow start on a busy machine.
            }
            await Task.Delay(200);
        }
        await DisposeAsync();
        Assert.Fail($"amipki serve was not healthy within {limit}:\n{Log}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A peer may still hold a file for a moment; the temp directory is cleaned by the OS eventually.
        }
    }
}
