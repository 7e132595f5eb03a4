using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AmiPki.Bench.Fleet;

/// <summary>
/// A real <c>amipki serve</c> in a process of its own (so its memory and CPU are its own), over a fresh data directory:
/// <c>amipki init</c>, the manufacturer anchor dropped in DATA/trust/manufacturers, the meters imported with
/// <c>amipki devices import</c>, then serve with HTTPS off and EST-coaps on a free UDP port.
/// </summary>
public sealed class FleetServer : IAsyncDisposable
{
    private const string Passphrase = "fleet-bench-only-passphrase";

    private readonly Process _process;
    private readonly StringBuilder _log;

    private FleetServer(string data, int coapsPort, Process process, StringBuilder log)
    {
        DataDirectory = data;
        CoapsPort = coapsPort;
        _process = process;
        _log = log;
    }

    public string DataDirectory { get; }

    public int CoapsPort { get; }

    /// <summary>The root CA's certificate (what a meter is provisioned with to check the server).</summary>
    public string RootPemPath => Path.Combine(DataDirectory, "fleet-root.pem");

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

    public static async Task<FleetServer> StartAsync(string amipkiDll, string profiles, FleetManufacturer manufacturer,
        IReadOnlyList<FleetManufacturer.Meter> meters, CancellationToken cancellationToken)
    {
        var data = Path.Combine(Path.GetTempPath(), "amipki-fleet-" + Guid.NewGuid().ToString("N")[..10]);
        await RunCliAsync(amipkiDll, profiles, data, cancellationToken, "init");
        await RunCliAsync(amipkiDll, profiles, data, cancellationToken, "chain", "--out", Path.Combine(data, "fleet-root.pem"));
        var anchors = Path.Combine(data, "trust", "manufacturers");
        Directory.CreateDirectory(anchors);
        await File.WriteAllTextAsync(Path.Combine(anchors, manufacturer.Name + ".pem"), manufacturer.Certificate.ExportCertificatePem() + "\n", cancellationToken);
        var manifest = Path.Combine(data, "fleet-manifest.csv");
        var csv = new StringBuilder("system_title,idevid_sha256,idevid_serial,manufacturer,lot,dcu\n");
        for (int i = 0; i < meters.Count; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{meters[i].SystemTitle},{meters[i].IDevIdSha256},,{manufacturer.Name},LOT-{i / 1000},DCU-{i / 250}\n");
        }

        await File.WriteAllTextAsync(manifest, csv.ToString(), cancellationToken);
        await RunCliAsync(amipkiDll, profiles, data, cancellationToken, "devices", "import", manifest);

        int httpPort = FreePort(SocketType.Stream, ProtocolType.Tcp);
        int coapsPort = FreePort(SocketType.Dgram, ProtocolType.Udp);
        var start = Start(amipkiDll, profiles, data, "serve", "--listen", "127.0.0.1", "--http-port", httpPort.ToString(CultureInfo.InvariantCulture),
            "--https-port", "0", "--coaps-port", coapsPort.ToString(CultureInfo.InvariantCulture));
        var log = new StringBuilder();
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start amipki serve");
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new FleetServer(data, coapsPort, process, log);
        try
        {
            await server.WaitUntilListeningAsync(cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
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

    private async Task WaitUntilListeningAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"amipki serve exited with {_process.ExitCode}:\n{Log}");
            }

            if (Log.Contains("EST-coaps listening", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"amipki serve did not start EST-coaps within 120 s:\n{Log}");
    }

    private static ProcessStartInfo Start(string amipkiDll, string profiles, string data, params string[] arguments)
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

    private static async Task RunCliAsync(string amipkiDll, string profiles, string data, CancellationToken cancellationToken, params string[] arguments)
    {
        using var process = Process.Start(Start(amipkiDll, profiles, data, arguments)) ?? throw new InvalidOperationException("could not start amipki");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"amipki {string.Join(' ', arguments)} exited {process.ExitCode}: {await output}{await error}");
        }
    }

    private static int FreePort(SocketType type, ProtocolType protocol)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
