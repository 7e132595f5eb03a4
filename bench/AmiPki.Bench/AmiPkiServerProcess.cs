using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AmiPki.Bench;

/// <summary>
/// A real <c>amipki serve</c> in a process of its own, over a fresh data directory, so that the figures a benchmark
/// prints for the server — its CPU time and its peak memory — are the server's alone, not the load generator's:
/// <c>amipki init</c>, the root exported, the caller's preparation (anchors, devices, ...), then <c>serve</c>.
/// </summary>
public sealed class AmiPkiServerProcess : IAsyncDisposable
{
    private const string Passphrase = "bench-only-passphrase";

    private readonly Process _process;
    private readonly StringBuilder _log;
    private readonly string _amipkiDll;
    private readonly string _profiles;

    private AmiPkiServerProcess(string amipkiDll, string profiles, string data, Process process, StringBuilder log)
    {
        _amipkiDll = amipkiDll;
        _profiles = profiles;
        DataDirectory = data;
        _process = process;
        _log = log;
    }

    public string DataDirectory { get; }

    /// <summary>The root CA's certificate (PEM), what a client is provisioned with to check the server.</summary>
    public string RootPemPath => RootPemIn(DataDirectory);

    /// <summary>Where a manufacturer's IDevID anchor goes for EST and EST-coaps to accept its devices.</summary>
    public string ManufacturerAnchorDirectory => Path.Combine(DataDirectory, "trust", "manufacturers");

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

    /// <summary>
    /// Initialises a data directory, lets <paramref name="prepare"/> add to it (with the <c>amipki</c> CLI at hand), then
    /// starts <c>amipki serve</c> on 127.0.0.1 with <paramref name="serveArguments"/> and waits until
    /// <paramref name="isReady"/> says so (at most two minutes).
    /// </summary>
    public static async Task<AmiPkiServerProcess> StartAsync(IReadOnlyList<string> serveArguments, Func<PreparedData, Task> prepare,
        Func<AmiPkiServerProcess, Task<bool>> isReady, CancellationToken cancellationToken, string? amipkiDll = null)
    {
        var (dll, profiles) = Locate(amipkiDll);
        var data = Path.Combine(Path.GetTempPath(), "amipki-bench-" + Guid.NewGuid().ToString("N")[..10]);
        var prepared = new PreparedData(dll, profiles, data);
        await prepared.RunCliAsync(cancellationToken, "init");
        await prepared.RunCliAsync(cancellationToken, "chain", "--out", RootPemIn(data));
        await prepare(prepared);

        var start = Start(dll, profiles, data, ["serve", "--listen", "127.0.0.1", .. serveArguments]);
        var log = new StringBuilder();
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start amipki serve");
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new AmiPkiServerProcess(dll, profiles, data, process, log);
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
            while (!await isReady(server))
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"amipki serve exited with {process.ExitCode}:\n{server.Log}");
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"amipki serve was not ready within 120 s:\n{server.Log}");
                }

                await Task.Delay(100, cancellationToken);
            }
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>True once something accepts TCP connections on 127.0.0.1:<paramref name="port"/>.</summary>
    public static async Task<bool> AcceptsTcpAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The server's peak resident set (VmHWM of /proc/PID/status; Linux).</summary>
    public long PeakRss()
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
            // Not Linux, or the process is gone.
        }

        _process.Refresh();
        return _process.PeakWorkingSet64;
    }

    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>Runs another <c>amipki</c> command on this server's data (e.g. to read what it stored).</summary>
    public Task RunCliAsync(CancellationToken cancellationToken, params string[] arguments) =>
        new PreparedData(_amipkiDll, _profiles, DataDirectory).RunCliAsync(cancellationToken, arguments);

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
            // Left for the OS to clean.
        }
    }

    public static int FreePort(SocketType type, ProtocolType protocol)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>The <c>amipki.dll</c> built next to this benchmark (Release first when this is Release) and the repository's profiles.</summary>
    public static (string AmiPkiDll, string Profiles) Locate(string? amipkiDll)
    {
        // From the benchmark's own output directory, else from the working directory (`make bench` runs at the root).
        var root = FindRoot(AppContext.BaseDirectory) ?? FindRoot(Environment.CurrentDirectory)
            ?? throw new InvalidOperationException("cannot find the repository root (AmiPki.sln) above " + AppContext.BaseDirectory);
        var profiles = Path.Combine(root.FullName, "profiles");
        if (amipkiDll is not null)
        {
            return (amipkiDll, profiles);
        }

        bool release = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal);
        var candidates = (release ? new[] { "Release", "Debug" } : ["Debug", "Release"])
            .Select(configuration => Path.Combine(root.FullName, "src", "AmiPki.Cli", "bin", configuration, "net10.0", "amipki.dll"));
        return (candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("amipki.dll is not built: run `make build` (dotnet build AmiPki.sln -c Release)"), profiles);
    }

    private static DirectoryInfo? FindRoot(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AmiPki.sln")))
            {
                return directory;
            }
        }

        return null;
    }

    private static string RootPemIn(string data) => Path.Combine(data, "bench-root.pem");

    private static ProcessStartInfo Start(string amipkiDll, string profiles, string data, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(amipkiDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add("--data");
        start.ArgumentList.Add(data);
        start.ArgumentList.Add("--profiles");
        start.ArgumentList.Add(profiles);
        start.Environment["AMIPKI_KEY_PASSPHRASE"] = Passphrase;
        return start;
    }

    /// <summary>A data directory initialised but not yet served, with the CLI to add to it.</summary>
    public sealed class PreparedData(string amipkiDll, string profiles, string dataDirectory)
    {
        public string DataDirectory => dataDirectory;

        public string ManufacturerAnchorDirectory => Path.Combine(dataDirectory, "trust", "manufacturers");

        public async Task RunCliAsync(CancellationToken cancellationToken, params string[] arguments)
        {
            using var process = Process.Start(Start(amipkiDll, profiles, dataDirectory, arguments)) ?? throw new InvalidOperationException("could not start amipki");
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"amipki {string.Join(' ', arguments)} exited {process.ExitCode}: {await output}{await error}");
            }
        }
    }
}
