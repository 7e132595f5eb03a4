using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using AmiPki.Bench.NativeTls;

namespace AmiPki.Bench;

/// <summary>
/// EST enrollments per second over HTTPS with mutual TLS (a factory IDevID client certificate, profile hes-client):
/// keep-alive connections at a fixed concurrency, and one new full TLS handshake per enrollment (resumption off).
/// The server is a real <c>amipki serve</c> in a process of its own (its CPU and peak memory are its own); the load
/// generator runs in this process on the same cores, so the rates are a floor. The load generator speaks TLS through
/// libssl directly (<see cref="TlsHttpConnection"/>), with the factory IDevID as client certificate, checking the
/// server's chain against AmiPki's root: with .NET's HttpClient and SslStream the client cost more CPU per handshake than
/// the server it measured.
/// </summary>
public static class EstBenchmark
{
    /// <param name="ServerCpuSeconds">CPU time of the server process during the run.</param>
    /// <param name="ClientCpuSeconds">CPU time of this process (the load generator) during the run.</param>
    public sealed record Result(string Mode, int Concurrency, long Enrolled, long Failed, double Seconds, double ServerCpuSeconds, double ClientCpuSeconds,
        double P50Milliseconds, double P99Milliseconds, long ServerPeakRssBytes, string? FirstFailure)
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
        var endPoint = new IPEndPoint(IPAddress.Loopback, httpsPort);
        var chain = new X509Certificate2Collection();
        chain.ImportFromPemFile(server.RootPemPath);
        using var root = chain.Single(c => c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData));
        var csrs = MakeCsrs(512);

        // The load generator's TLS client reads its credentials from files: a throwaway directory, removed at the end.
        var files = Directory.CreateTempSubdirectory("amipki-estbench-client-");
        try
        {
            var certificateFile = Path.Combine(files.FullName, "idevid.pem");
            var keyFile = Path.Combine(files.FullName, "idevid.key");
            var rootFile = Path.Combine(files.FullName, "root.pem");
            await File.WriteAllTextAsync(certificateFile, idevid.ExportCertificatePem() + "\n");
            using (var key = idevid.GetECDsaPrivateKey()!)
            {
                File.Create(keyFile).Dispose();
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }

                await File.WriteAllTextAsync(keyFile, key.ExportPkcs8PrivateKeyPem() + "\n");
            }

            await File.WriteAllTextAsync(rootFile, root.ExportCertificatePem() + "\n");
            using var client = new TlsClientContext(certificateFile, keyFile, rootFile);
            var head = RequestHead(httpsPort);
            EnrollFor(client, server, endPoint, head, csrs, concurrency, TimeSpan.FromSeconds(8), newHandshake: false);
            EnrollFor(client, server, endPoint, head, csrs, concurrency, TimeSpan.FromSeconds(4), newHandshake: true);
            return
            [
                EnrollFor(client, server, endPoint, head, csrs, concurrency, duration, newHandshake: false),
                EnrollFor(client, server, endPoint, head, csrs, concurrency, duration, newHandshake: true),
            ];
        }
        finally
        {
            files.Delete(recursive: true);
        }
    }

    /// <summary>The request head, up to the Content-Length value, for one EST simpleenroll (RFC 7030 §4.2.1).</summary>
    private static string RequestHead(int port) =>
        $"POST /.well-known/est/simpleenroll HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/pkcs10\r\nContent-Transfer-Encoding: base64\r\nContent-Length: ";

    /// <summary>
    /// <paramref name="concurrency"/> threads, each with its blocking TLS connection, enroll for <paramref name="duration"/>:
    /// over one kept-alive connection each, or over a new connection (a full handshake, then "Connection: close") per
    /// enrollment. An enrollment counts when the answer is 200 with a base64 body; a resumed handshake counts as failed.
    /// </summary>
    private static Result EnrollFor(TlsClientContext client, AmiPkiServerProcess server, IPEndPoint endPoint, string head, byte[][] csrs,
        int concurrency, TimeSpan duration, bool newHandshake)
    {
        var mode = newHandshake ? "new TLS handshake per enrollment" : "keep-alive";
        var heads = csrs.Select(csr => Encoding.ASCII.GetBytes(head + csr.Length.ToString(CultureInfo.InvariantCulture)
            + (newHandshake ? "\r\nConnection: close" : "") + "\r\n\r\n")).ToArray();
        var latencies = new List<double>[concurrency];
        long enrolled = 0;
        long failed = 0;
        string? firstFailure = null;
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var serverCpuBefore = server.CpuTime();
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var stopwatch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(worker => new Thread(() =>
        {
            var mine = latencies[worker] = new List<double>(100_000);
            var next = worker * 31;
            TlsHttpConnection? connection = null;
            while (Stopwatch.GetTimestamp() < end)
            {
                var start = Stopwatch.GetTimestamp();
                var index = next++ % csrs.Length;
                try
                {
                    connection ??= TlsHttpConnection.Open(client, endPoint);
                    if (newHandshake && connection.Resumed)
                    {
                        throw new IOException("the handshake resumed a session: not a full handshake");
                    }

                    var (status, body) = connection.Send(heads[index], csrs[index]);
                    if (status != 200 || body.Length < 100 || !System.Buffers.Text.Base64.IsValid(body.Span))
                    {
                        throw new IOException($"answer {status} with {body.Length} bytes");
                    }

                    Interlocked.Increment(ref enrolled);
                    mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
                catch (IOException exception)
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstFailure, exception.Message, null);
                    connection?.Dispose();
                    connection = null;
                    continue;
                }

                if (newHandshake)
                {
                    connection.Dispose();
                    connection = null;
                }
            }

            connection?.Dispose();
        }) { IsBackground = true, Name = $"est-load-{worker}" }).ToArray();
        foreach (var thread in workers)
        {
            thread.Start();
        }

        foreach (var thread in workers)
        {
            thread.Join();
        }

        var seconds = stopwatch.Elapsed.TotalSeconds;
        process.Refresh();
        var cpuSeconds = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        var serverCpuSeconds = (server.CpuTime() - serverCpuBefore).TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new Result(mode, concurrency, enrolled, failed, seconds, serverCpuSeconds, cpuSeconds, Percentile(all, 0.50), Percentile(all, 0.99),
            server.PeakRss(), firstFailure);
    }

    private static double Percentile(double[] sorted, double fraction) => sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, fraction * sorted.Length)];

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
