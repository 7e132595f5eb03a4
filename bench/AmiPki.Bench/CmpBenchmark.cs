using System.Diagnostics;
using System.Formats.Asn1;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using AmiPki.Core.Audit;
using AmiPki.Core.Authorities;
using AmiPki.Core.Credentials;
using AmiPki.Core.Issuance;
using AmiPki.Core.Revocation;
using AmiPki.Core.Storage;
using AmiPki.Protocols.Cmp;
using AmiPki.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AmiPki.Bench;

/// <summary>
/// CMP transactions per second over HTTP (RFC 6712) at a fixed concurrency against the real CMP adapter and durable
/// SQLite storage in this process: <c>ir</c> protected by PasswordBasedMac (500 SHA-256 iterations, openssl's default)
/// and <c>kur</c> signed with the DCU's current certificate (each worker renews the certificate it got last, and the
/// dcu profile revokes the old one as superseded). Each transaction is one request with implicitConfirm, plus a
/// certConf round trip in the "with certConf" rows. The load generator shares the process and the 2 cores.
/// </summary>
public static class CmpBenchmark
{
    private const string Reference = "bench-dcu";
    private const string Secret = "bench-only-cmp-secret";
    private static readonly MediaTypeHeaderValue PkixCmp = new("application/pkixcmp");

    /// <param name="CpuSeconds">CPU time of this process (server and load generator) during the run.</param>
    public sealed record Result(string Mode, int Concurrency, long Transactions, long Failed, double Seconds, double CpuSeconds, double P50Milliseconds,
        double P99Milliseconds)
    {
        public double PerSecond => Transactions / Seconds;

        public double CpuMillisecondsPerTransaction => Transactions == 0 ? double.NaN : CpuSeconds * 1000 / Transactions;
    }

    public static async Task<IReadOnlyList<Result>> RunAsync(TimeSpan duration, int concurrency = 16)
    {
        var data = Path.Combine(Path.GetTempPath(), "amipki-cmpbench-" + Guid.NewGuid().ToString("N")[..8]);
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
            var secrets = new CmpSecretProtector(options.KeyPassphrase);
            await runtime.Storage.Credentials.AddAsync(new EnrollmentCredential(CmpSecretProtector.CredentialKind, Reference, secrets.Protect(Reference, Secret),
                ["dcu"], null, null, false, null, DateTimeOffset.UtcNow), CancellationToken.None);
            var port = FreePort();
            await using var app = BuildServer(runtime, port, options.KeyPassphrase);
            await app.StartAsync();
            var url = new Uri($"http://127.0.0.1:{port}/.well-known/cmp");
            var chain = runtime.Authorities!.ChainOf("issuing-s1");
            var requests = Enumerable.Range(0, 256).Select(i => CertRequestFor(ECDsa.Create(ECCurve.NamedCurves.nistP256), $"CN=DCU-BENCH-{i:D4}")).ToArray();

            await RunForAsync("warm-up", url, concurrency, TimeSpan.FromSeconds(2), (client, worker, round) => IrAsync(client, url, requests, worker + round, certConf: false));
            var ir = await RunForAsync("ir (PBM), implicitConfirm", url, concurrency, duration,
                (client, worker, round) => IrAsync(client, url, requests, worker * 7919 + round, certConf: false));
            var irConf = await RunForAsync("ir (PBM) + certConf", url, concurrency, duration,
                (client, worker, round) => IrAsync(client, url, requests, worker * 7919 + round, certConf: true));

            // Each kur worker starts from a certificate of its own, enrolled here, and renews whatever it got last.
            var holders = new (ECDsa Key, byte[] Certificate)[concurrency];
            using (var setup = NewClient(concurrency))
            {
                for (var i = 0; i < concurrency; i++)
                {
                    var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                    var certificate = await IrForKeyAsync(setup, url, key, $"CN=DCU-KUR-{i:D4}");
                    holders[i] = (key, certificate);
                }
            }
            var kur = await RunForAsync("kur (signature), implicitConfirm", url, concurrency, duration,
                (client, worker, _) => KurAsync(client, url, holders, worker, chain));
            return [ir, irConf, kur];
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

    public static void Print(IReadOnlyList<Result> results)
    {
        Console.WriteLine("CMP over HTTP (dcu profile, durable SQLite, load generator in the same process):");
        foreach (var result in results)
        {
            Console.WriteLine($"  {result.Mode,-36} concurrency {result.Concurrency,3}: {result.PerSecond,8:N0} transactions/s " +
                              $"({result.Transactions:N0} in {result.Seconds:N1} s, {result.Failed} failed; p50 {result.P50Milliseconds:N1} ms, p99 {result.P99Milliseconds:N1} ms; " +
                              $"{result.CpuMillisecondsPerTransaction:N2} ms CPU per transaction)");
        }
        Console.WriteLine("  target (issue 6): >= 2,000 transactions/s at concurrency 16 on this 2-core machine");
    }

    private static WebApplication BuildServer(AmiPkiRuntime runtime, int port, string passphrase)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, port);
        });
        var services = builder.Services;
        services.AddSingleton(runtime.Time);
        services.AddSingleton(runtime.Issuance!);
        services.AddSingleton(runtime.Authorities!);
        services.AddSingleton(runtime.Profiles!);
        services.AddSingleton<ICertificateReader>(runtime.Storage.Certificates);
        services.AddSingleton<IRevocationStore>(runtime.Storage.Revocations);
        services.AddSingleton<IAuditLog>(runtime.Storage.Audit);
        services.AddSingleton<ICredentialStore>(runtime.Storage.Credentials);
        services.AddCmp(cmp => cmp.SecretKeyPassphrase = passphrase);
        var app = builder.Build();
        app.MapCmp();
        return app;
    }

    private static HttpClient NewClient(int concurrency) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { Timeout = TimeSpan.FromSeconds(60) };

    private static async Task<Result> RunForAsync(string mode, Uri url, int concurrency, TimeSpan duration, Func<HttpClient, int, int, Task<bool>> transaction)
    {
        using var client = NewClient(concurrency);
        var latencies = new List<double>[concurrency];
        long done = 0;
        long failed = 0;
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var stopwatch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var mine = latencies[worker] = new List<double>(100_000);
            for (var round = 0; Stopwatch.GetTimestamp() < end; round++)
            {
                var started = Stopwatch.GetTimestamp();
                if (await transaction(client, worker, round))
                {
                    Interlocked.Increment(ref done);
                    mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                else
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
        return new Result(mode, concurrency, done, failed, seconds, cpuSeconds, Percentile(all, 0.50), Percentile(all, 0.99));
    }

    private static async Task<bool> IrAsync(HttpClient client, Uri url, byte[][] requests, int index, bool certConf)
    {
        var mac = PasswordBasedMac.Create(RandomNumberGenerator.GetBytes(16), 500, HashAlgorithmName.SHA256, HashAlgorithmName.SHA1);
        var protection = CmpResponseProtection.WithMac(mac, Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(Reference), null);
        var header = new CmpResponseHeader(2, null, RandomNumberGenerator.GetBytes(16), null) { ImplicitConfirm = !certConf };
        var response = await PostAsync(client, url, CmpMessageWriter.Write(header, PkiBodyType.Ir, requests[index % requests.Length], protection, [], DateTimeOffset.UtcNow));
        if (response?.BodyType != PkiBodyType.Ip)
        {
            return false;
        }
        if (!certConf)
        {
            return true;
        }
        var certificate = CertificateOf(response);
        var confirm = new CmpResponseHeader(2, null, header.TransactionId, response.Header.SenderNonce);
        var pkiConf = await PostAsync(client, url, CmpMessageWriter.Write(confirm, PkiBodyType.CertConf, CertConf(certificate), protection, [], DateTimeOffset.UtcNow));
        return pkiConf?.BodyType == PkiBodyType.PkiConf;
    }

    private static async Task<byte[]> IrForKeyAsync(HttpClient client, Uri url, ECDsa key, string subject)
    {
        var mac = PasswordBasedMac.Create(RandomNumberGenerator.GetBytes(16), 500, HashAlgorithmName.SHA256, HashAlgorithmName.SHA1);
        var protection = CmpResponseProtection.WithMac(mac, Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(Reference), null);
        var header = new CmpResponseHeader(2, null, RandomNumberGenerator.GetBytes(16), null) { ImplicitConfirm = true };
        var response = await PostAsync(client, url, CmpMessageWriter.Write(header, PkiBodyType.Ir, CertRequestFor(key, subject), protection, [], DateTimeOffset.UtcNow));
        return response?.BodyType == PkiBodyType.Ip ? CertificateOf(response) : throw new InvalidOperationException("bench setup: ir refused");
    }

    private static async Task<bool> KurAsync(HttpClient client, Uri url, (ECDsa Key, byte[] Certificate)[] holders, int worker,
        IReadOnlyList<CertificateAuthority> chain)
    {
        var (oldKey, oldCertificate) = holders[worker];
        var newKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        // The DCU signs as itself: CmpResponder is the adapter's signer type, reused here as the client's identity.
        var signer = CmpResponder.Delegated(oldCertificate, oldKey, chain);
        using var signerCertificate = signer.Certificate;
        var header = new CmpResponseHeader(2, null, RandomNumberGenerator.GetBytes(16), null) { ImplicitConfirm = true };
        var response = await PostAsync(client, url, CmpMessageWriter.Write(header, PkiBodyType.Kur, CertRequestFor(newKey, signer.Certificate.Subject),
            CmpResponseProtection.WithSignature(signer), [oldCertificate], DateTimeOffset.UtcNow));
        if (response?.BodyType != PkiBodyType.Kup)
        {
            newKey.Dispose();
            return false;
        }
        holders[worker] = (newKey, CertificateOf(response));
        oldKey.Dispose();
        return true;
    }

    private static async Task<PkiMessage?> PostAsync(HttpClient client, Uri url, byte[] request)
    {
        using var content = new ByteArrayContent(request);
        content.Headers.ContentType = PkixCmp;
        using var response = await client.PostAsync(url, content);
        return response.IsSuccessStatusCode ? PkiMessage.Decode(await response.Content.ReadAsByteArrayAsync()) : null;
    }

    /// <summary>The certificate of the first CertResponse of a CertRepMessage (RFC 4210 §5.3.4).</summary>
    private static byte[] CertificateOf(PkiMessage response)
    {
        var content = new AsnReader(response.BodyContent, AsnEncodingRules.DER).ReadSequence();
        if (content.PeekTag().TagClass == TagClass.ContextSpecific)
        {
            content.ReadEncodedValue();
        }
        var certResponse = content.ReadSequence().ReadSequence();
        certResponse.ReadInteger();
        certResponse.ReadSequence();
        return certResponse.ReadSequence().ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)).ReadEncodedValue().ToArray();
    }

    /// <summary>CertReqMessages with one CertReqMsg and a POPOSigningKey over the DER CertRequest (RFC 4211 §3, §4.1).</summary>
    private static byte[] CertRequestFor(ECDsa key, string subject)
    {
        var request = new AsnWriter(AsnEncodingRules.DER);
        using (request.PushSequence())
        {
            request.WriteInteger(0);
            using (request.PushSequence())
            {
                using (request.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 5, isConstructed: true)))
                {
                    request.WriteEncodedValue(new X500DistinguishedName(subject).RawData);
                }
                var spki = key.ExportSubjectPublicKeyInfo();
                spki[0] = 0xA6; // publicKey [6] IMPLICIT
                request.WriteEncodedValue(spki);
            }
        }
        var requestDer = request.Encode();
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence())
        {
            writer.WriteEncodedValue(requestDer);
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true)))
            {
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier("1.2.840.10045.4.3.2");
                }
                writer.WriteBitString(key.SignData(requestDer, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
            }
        }
        return writer.Encode();
    }

    private static byte[] CertConf(byte[] certificate)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence())
        {
            writer.WriteOctetString(SHA256.HashData(certificate));
            writer.WriteInteger(0);
        }
        return writer.Encode();
    }

    private static double Percentile(double[] sorted, double fraction) => sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, fraction * sorted.Length)];

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
