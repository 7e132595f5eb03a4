using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace AmiPki.Bench.Fleet;

/// <summary>
/// The fleet's <c>amipki serve</c> (<see cref="AmiPkiServerProcess"/>): the manufacturer anchor dropped in
/// DATA/trust/manufacturers, the meters imported with <c>amipki devices import</c>, then serve with HTTPS off and
/// EST-coaps on a free UDP port.
/// </summary>
public sealed class FleetServer : IAsyncDisposable
{
    private readonly AmiPkiServerProcess _server;

    private FleetServer(AmiPkiServerProcess server, int coapsPort)
    {
        _server = server;
        CoapsPort = coapsPort;
    }

    public int CoapsPort { get; }

    /// <summary>The root CA's certificate (what a meter is provisioned with to check the server).</summary>
    public string RootPemPath => _server.RootPemPath;

    public static async Task<FleetServer> StartAsync(string amipkiDll, FleetManufacturer manufacturer, IReadOnlyList<FleetManufacturer.Meter> meters,
        CancellationToken cancellationToken)
    {
        int httpPort = AmiPkiServerProcess.FreePort(SocketType.Stream, ProtocolType.Tcp);
        int coapsPort = AmiPkiServerProcess.FreePort(SocketType.Dgram, ProtocolType.Udp);
        var server = await AmiPkiServerProcess.StartAsync(
            ["--http-port", httpPort.ToString(CultureInfo.InvariantCulture), "--https-port", "0", "--coaps-port", coapsPort.ToString(CultureInfo.InvariantCulture)],
            async data =>
            {
                Directory.CreateDirectory(data.ManufacturerAnchorDirectory);
                await File.WriteAllTextAsync(Path.Combine(data.ManufacturerAnchorDirectory, manufacturer.Name + ".pem"),
                    manufacturer.Certificate.ExportCertificatePem() + "\n", cancellationToken);
                var manifest = Path.Combine(data.DataDirectory, "fleet-manifest.csv");
                var csv = new StringBuilder("system_title,idevid_sha256,idevid_serial,manufacturer,lot,dcu\n");
                for (int i = 0; i < meters.Count; i++)
                {
                    csv.Append(CultureInfo.InvariantCulture, $"{meters[i].SystemTitle},{meters[i].IDevIdSha256},,{manufacturer.Name},LOT-{i / 1000},DCU-{i / 250}\n");
                }

                await File.WriteAllTextAsync(manifest, csv.ToString(), cancellationToken);
                await data.RunCliAsync(cancellationToken, "devices", "import", manifest);
            },
            started => Task.FromResult(started.Log.Contains("EST-coaps listening", StringComparison.Ordinal)), cancellationToken, amipkiDll);
        return new FleetServer(server, coapsPort);
    }

    /// <summary>The server's peak resident set (VmHWM of /proc/PID/status; Linux).</summary>
    public long PeakRss() => _server.PeakRss();

    public TimeSpan CpuTime() => _server.CpuTime();

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
