using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace AmiPki.Bench;

/// <summary>
/// EST enrollments per second over HTTPS with mutual TLS (a factory IDevID client certificate, profile hes-client):
/// keep-alive connections at a fixed concurrency, and one new full TLS handshake per enrollment (resumption off).
/// The server is a real <c>amipki serve</c> in a process of its own (its CPU and peak memory are its own); the load
/// generator runs in this process on the same cores, so the rates are a floor.
/// </summary>
public static class EstBenchmark
{
    /// <param name="ServerCpuSeconds">CPU time of the server process during the run.</param>
    /// <param name="ClientCpuSeconds">CPU time of this process (the load generator) during the run.</param>
    public sealed record Result(string Mode, int Concurrency, long Enrolled, long Failed, double Seconds, double ServerCpuSeconds, double ClientCpuSeconds,
        double P50Milliseconds, double P99Milliseconds, long ServerPeakRssBytes)
    {
        public double PerSecond => Enrolled / Seconds;

        public double ServerCpuMilliseconds => Enrolled == 0 ? double.NaN : ServerCpuSeconds * 1000 / Enrolled;

        public double ClientCpuMilliseconds => Enrolled == 0 ? double.NaN : ClientCpuSeconds * 1000 / Enrolled;

        /// <summary>The rate this machine's cores would give the server if the load generator cost nothing.</summary>
        public double ServerBoundPerSecond => Environment.ProcessorCount * 1000 / ServerCpuMilliseconds;
    }

    public static async Task<IReadOnlyList<Result>> RunAsync(TimeSpan duration, int concurrency = 16)
    {
        var (anchor, idevid) = FactoryCertificates();
        var httpsPort = AmiPkiServerProcess.FreePort(SocketType.Stream, ProtocolType.Tcp);
        var httpPort = AmiPkiServerProcess.FreePort(SocketType.Stream, ProtocolType.Tcp);
        await using var server = await AmiPkiServerProcess.StartAsync(
            ["--http-port", httpPort.ToString(CultureInfo.InvariantCulture), "--https-port", httpsPort.ToString(CultureInfo.InvariantCulture), "--coaps-port", "0"],
            async data =>
            {
                Directory.CreateDirectory(data.ManufacturerAnchorDirectory);
                await File.WriteAllTextAsync(Path.Combine(data.ManufacturerAnchorDirectory, "bench.pem"), anchor.ExportCertificatePem() + "\n");
            },
            _ => AmiPkiServerProcess.AcceptsTcpAsync(httpsPort), CancellationToken.None);
        var url = new Uri($"https://127.0.0.1:{httpsPort}/.well-known/est/simpleenroll");
        var chain = new X509Certificate2Collection();
        chain.ImportFromPemFile(server.RootPemPath);
        using var root = chain.Single(c => c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData));
        var csrs = MakeCsrs(512);

        await EnrollForAsync("warm-up", server, url, root, idevid, csrs, concurrency, TimeSpan.FromSeconds(8), newHandshake: false);
        await EnrollForAsync("warm-up", server, url, root, idevid, csrs, concurrency, TimeSpan.FromSeconds(4), newHandshake: true);
        return
        [
            await EnrollForAsync("keep-alive", server, url, root, idevid, csrs, concurrency, duration, newHandshake: false),
            await EnrollForAsync("new TLS handshake per enrollment", server, url, root, idevid, csrs, concurrency, duration, newHandshake: true),
        ];
    }

    private static async Task<Result> EnrollForAsync(string mode, AmiPkiServerProcess server, Uri url, X509Certificate2 root, X509Certificate2 clientCertificate, byte[][] csrs,
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
        var serverCpuBefore = server.CpuTime();
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
        var serverCpuSeconds = (server.CpuTime() - serverCpuBefore).TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new Result(mode, concurrency, enrolled, failed, seconds, serverCpuSeconds, cpuSeconds, Percentile(all, 0.50), Percentile(all, 0.99), server.PeakRss());
    }

    private static double Percentile(double[] sorted, double fraction) => sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, fraction * sorted.Length)];

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
}
