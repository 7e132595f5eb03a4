using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using AmiPki.Core.Audit;
using AmiPki.Core.Authorities;
using AmiPki.Core.Credentials;
using AmiPki.Core.Devices;
using AmiPki.Core.Issuance;
using AmiPki.Core.Profiles;
using AmiPki.Core.Storage;
using AmiPki.Protocols.Est;
using AmiPki.Server;
using AmiPki.Server.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AmiPki.Bench;

/// <summary>
/// EST enrollments per second over HTTPS with mutual TLS (a factory IDevID client certificate, profile hes-client):
/// keep-alive connections at a fixed concurrency, and one new full TLS handshake per enrollment (resumption off).
/// The server is the real EST adapter, HTTPS listener and durable SQLite storage, in this process (so the peak RSS
/// below counts the load generator too: an upper bound for the server).
/// </summary>
public static class EstBenchmark
{
    /// <param name="CpuSeconds">CPU time of this process (server and load generator) during the run.</param>
    public sealed record Result(string Mode, int Concurrency, long Enrolled, long Failed, double Seconds, double CpuSeconds, double P50Milliseconds,
        double P99Milliseconds, long PeakRssBytes)
    {
        public double PerSecond => Enrolled / Seconds;

        /// <summary>CPU per enrollment, client and server together: independent of what else the machine is running.</summary>
        public double CpuMillisecondsPerEnrollment => Enrolled == 0 ? double.NaN : CpuSeconds * 1000 / Enrolled;
    }

    public static async Task<IReadOnlyList<Result>> RunAsync(TimeSpan duration, int concurrency = 16)
    {
        var data = Path.Combine(Path.GetTempPath(), "amipki-estbench-" + Guid.NewGuid().ToString("N")[..8]);
        var options = new AmiPkiOptions
        {
            DataDirectory = data,
            KeyPassphrase = "bench-only-passphrase",
            ProfilesDirectory = Path.Combine(AppContext.BaseDirectory, "profiles"),
        };
        try
        {
            await using var runtime = await AmiPkiRuntime.OpenAsync(options, TimeProvider.System, CancellationToken.None);
            await runtime.InitializeAsync("software", CancellationToken.None);
            await runtime.LoadAuthoritiesAsync(CancellationToken.None);
            var (anchor, idevid) = FactoryCertificates();
            var anchors = runtime.Layout.ManufacturerAnchors;
            Directory.CreateDirectory(anchors);
            await File.WriteAllTextAsync(Path.Combine(anchors, "bench.pem"), anchor.ExportCertificatePem());
            var port = FreePort();
            await using var app = BuildServer(runtime, port);
            await app.StartAsync();
            var url = new Uri($"https://127.0.0.1:{port}/.well-known/est/simpleenroll");
            var root = runtime.Authorities!.All.Single(a => a.Record.Parent is null).Certificate;
            var csrs = MakeCsrs(512);

            await EnrollForAsync("warm-up", url, root, idevid, csrs, concurrency, TimeSpan.FromSeconds(2), newHandshake: false);
            return
            [
                await EnrollForAsync("keep-alive", url, root, idevid, csrs, concurrency, duration, newHandshake: false),
                await EnrollForAsync("new TLS handshake per enrollment", url, root, idevid, csrs, concurrency, duration, newHandshake: true),
            ];
        }
        finally
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS to clean.
            }
        }
    }

    private static WebApplication BuildServer(AmiPkiRuntime runtime, int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            ServerTlsEndpoint.Listen(kestrel, IPAddress.Loopback, port, runtime);
        });
        var services = builder.Services;
        services.AddSingleton(runtime.Time);
        services.AddSingleton(runtime.Issuance!);
        services.AddSingleton(runtime.Authorities!);
        services.AddSingleton(runtime.Profiles!);
        services.AddSingleton<ICertificateReader>(runtime.Storage.Certificates);
        services.AddSingleton<IAuditLog>(runtime.Storage.Audit);
        services.AddSingleton<IDeviceRegistry>(runtime.Storage.Devices);
        services.AddSingleton<ICredentialStore>(runtime.Storage.Credentials);
        services.AddEst(est => est.ManufacturerAnchorDirectory = runtime.Layout.ManufacturerAnchors);
        var app = builder.Build();
        app.MapEst();
        return app;
    }

    private static async Task<Result> EnrollForAsync(string mode, Uri url, X509Certificate2 root, X509Certificate2 clientCertificate, byte[][] csrs,
        int concurrency, TimeSpan duration, bool newHandshake)
    {
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = concurrency,
            // A connection used once and closed: every enrollment pays a full handshake.
            PooledConnectionLifetime = newHandshake ? TimeSpan.Zero : Timeout.InfiniteTimeSpan,
        };
        handler.SslOptions.EnabledSslProtocols = SslProtocols.Tls13;
        handler.SslOptions.AllowTlsResume = !newHandshake;
        // The client's certificate context is made once, as a device keeps its IDevID loaded: handing the handler a bare
        // certificate makes it build a SslStreamCertificateContext (a chain build) on every connection. Each handshake is
        // still a full one: AllowTlsResume is off below for the new-handshake mode.
        handler.SslOptions.ClientCertificateContext = SslStreamCertificateContext.Create(clientCertificate, additionalCertificates: null, offline: true);
        // Trust exactly our own root, as an EST client provisioned with /cacerts would (RFC 7030 §4.1.1).
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck, DisableCertificateDownloads = true };
        policy.CustomTrustStore.Add(root);
        handler.SslOptions.CertificateChainPolicy = policy;
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
        var latencies = new List<double>[concurrency];
        long enrolled = 0;
        long failed = 0;
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var stopwatch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var mine = latencies[worker] = new List<double>(100_000);
            var next = worker * 31;
            while (Stopwatch.GetTimestamp() < end)
            {
                var start = Stopwatch.GetTimestamp();
                var content = new ByteArrayContent(csrs[next++ % csrs.Length]);
                content.Headers.ContentType = Pkcs10;
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
                request.Headers.ConnectionClose = newHandshake;
                try
                {
                    using var response = await client.SendAsync(request);
                    await response.Content.ReadAsByteArrayAsync();
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref enrolled);
                        mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    }
                    else
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var seconds = stopwatch.Elapsed.TotalSeconds;
        process.Refresh();
        var cpuSeconds = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new Result(mode, concurrency, enrolled, failed, seconds, cpuSeconds, Percentile(all, 0.50), Percentile(all, 0.99), PeakRss());
    }

    private static double Percentile(double[] sorted, double fraction) => sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, fraction * sorted.Length)];

    /// <summary>VmHWM: the process's peak resident set since it started (Linux).</summary>
    private static long PeakRss()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? Process.GetCurrentProcess().PeakWorkingSet64 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return Process.GetCurrentProcess().PeakWorkingSet64;
        }
    }

    private static readonly MediaTypeHeaderValue Pkcs10 = new("application/pkcs10");

    /// <summary>Reusable request bodies: base64 CSRs for hes-client, made before the clock starts.</summary>
    private static byte[][] MakeCsrs(int count) => Enumerable.Range(0, count).Select(i =>
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var der = new CertificateRequest($"CN=bench-hes-{i}", key, HashAlgorithmName.SHA256).CreateSigningRequest();
        return Encoding.ASCII.GetBytes(Convert.ToBase64String(der, Base64FormattingOptions.InsertLineBreaks));
    }).ToArray();

    private static (X509Certificate2 Anchor, X509Certificate2 IDevId) FactoryCertificates()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Bench IDevID CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(10));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=bench-device", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        using var signed = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(5), RandomNumberGenerator.GetBytes(12));
        using var withKey = signed.CopyWithPrivateKey(key);
        return (ca, X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null));
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
