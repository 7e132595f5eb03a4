using System.Diagnostics;
using System.Formats.Asn1;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
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
/// certConf round trip in the "with certConf" rows. The load generator shares the process and the 2 cores, so it is
/// kept lean: one raw HTTP/1.1 keep-alive connection per worker (<see cref="KeepAliveHttpConnection"/>), the PBM key
/// derived once per worker (<see cref="PrederivedPasswordMac"/>), the ir CertReqMessages and the kur workers' next
/// keys with their proof of possession made before the timed window. Every answer is checked: HTTP 200 with
/// application/pkixcmp, the expected body type, our transactionID and senderNonce echoed, a certificate in it (the
/// response's own MAC or signature is not verified by this client, as before).
/// </summary>
public static class CmpBenchmark
{
    private const string Reference = "bench-dcu";
    private const string Secret = "bench-only-cmp-secret";
    private const int PbmIterations = 500;

    /// <summary>Warm-up ends once a second of load makes the JIT compile fewer methods than this (or after <see cref="MaxWarmUp"/>).</summary>
    private const int SettledJitMethodsPerSecond = 25;

    private static readonly TimeSpan MaxWarmUp = TimeSpan.FromSeconds(40);

    /// <summary>Next keys (with their CertReqMessages) each kur worker cycles through.</summary>
    private const int KurKeysPerWorker = 8;

    private static readonly byte[] SecretBytes = Encoding.UTF8.GetBytes(Secret);
    private static readonly byte[] ReferenceBytes = Encoding.UTF8.GetBytes(Reference);

    /// <param name="CpuSeconds">CPU time of this process (server and load generator) during the run.</param>
    /// <param name="Collections">Garbage collections of generations 0, 1 and 2 during the run.</param>
    public sealed record Result(string Mode, int Concurrency, long Transactions, long Failed, double Seconds, double CpuSeconds, double P50Milliseconds,
        double P99Milliseconds, (int Gen0, int Gen1, int Gen2) Collections, double GcPauseMilliseconds)
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
            await using var runtime = await AmiPkiRuntime.CreateOrOpenAsync(options, TimeProvider.System, CancellationToken.None);
            await runtime.InitializeAsync("software", CancellationToken.None);
            await runtime.LoadAuthoritiesAsync(CancellationToken.None);
            var secrets = new CmpSecretProtector(options.KeyPassphrase);
            await runtime.Storage.Credentials.AddAsync(new EnrollmentCredential(CmpSecretProtector.CredentialKind, Reference, secrets.Protect(Reference, Secret),
                ["dcu"], null, null, false, null, DateTimeOffset.UtcNow), CancellationToken.None);
            var port = FreePort();
            await using var app = BuildServer(runtime, port, options.KeyPassphrase);
            await app.StartAsync();
            var endpoint = new IPEndPoint(IPAddress.Loopback, port);
            var chain = runtime.Authorities!.ChainOf("issuing-s1");
            var requests = Enumerable.Range(0, 256).Select(i => CertRequestFor(ECDsa.Create(ECCurve.NamedCurves.nistP256), $"CN=DCU-BENCH-{i:D4}")).ToArray();
            var macs = Enumerable.Range(0, concurrency).Select(_ => new PrederivedPasswordMac(SecretBytes, PbmIterations)).ToArray();

            await WarmUpAsync(endpoint, concurrency,
                (connection, worker, round) => IrAsync(connection, macs[worker], requests[(worker + round) % requests.Length], certConf: round % 2 == 0));
            var ir = await RunForAsync("ir (PBM), implicitConfirm", endpoint, concurrency, duration,
                (connection, worker, round) => IrAsync(connection, macs[worker], requests[(worker * 7919 + round) % requests.Length], certConf: false));
            var irConf = await RunForAsync("ir (PBM) + certConf", endpoint, concurrency, duration,
                (connection, worker, round) => IrAsync(connection, macs[worker], requests[(worker * 7919 + round) % requests.Length], certConf: true));

            // Each kur worker starts from a certificate of its own, enrolled here, and renews whatever it got last.
            var holders = new KurHolder[concurrency];
            using (var setup = new KeepAliveHttpConnection(endpoint, CmpEndpoints.BasePath, CmpEndpoints.MediaType))
            {
                for (var i = 0; i < concurrency; i++)
                {
                    var subject = $"CN=DCU-KUR-{i:D4}";
                    var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                    var certificate = await IrForKeyAsync(setup, macs[i], CertRequestFor(key, subject));
                    var next = Enumerable.Range(0, KurKeysPerWorker).Select(_ => ECDsa.Create(ECCurve.NamedCurves.nistP256))
                        .Select(k => (k, CertRequestFor(k, subject))).ToArray();
                    holders[i] = new KurHolder(key, certificate, next);
                }
            }
            await WarmUpAsync(endpoint, concurrency, (connection, worker, _) => KurAsync(connection, holders[worker], chain));
            var kur = await RunForAsync("kur (signature), implicitConfirm", endpoint, concurrency, duration,
                (connection, worker, _) => KurAsync(connection, holders[worker], chain));
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
        Console.WriteLine($"  load generator: raw HTTP/1.1 keep-alive, one connection per worker; PBM key derived once per worker (fixed salt); " +
                          $"ir CertReqMessages and {KurKeysPerWorker} next kur keys per worker (used in turn) with their POP made before the timed window; " +
                          $"each kind warmed up until the JIT compiles < {SettledJitMethodsPerSecond} methods/s; answers checked for status, type, body, " +
                          "transactionID, recipNonce and certificate, not for their protection");
        foreach (var result in results)
        {
            Console.WriteLine($"  {result.Mode,-36} concurrency {result.Concurrency,3}: {result.PerSecond,8:N0} transactions/s " +
                              $"({result.Transactions:N0} in {result.Seconds:N1} s, {result.Failed} failed; p50 {result.P50Milliseconds:N1} ms, p99 {result.P99Milliseconds:N1} ms; " +
                              $"{result.CpuMillisecondsPerTransaction:N2} ms CPU per transaction; GC {result.Collections.Gen0}/{result.Collections.Gen1}/{result.Collections.Gen2}, " +
                              $"{result.GcPauseMilliseconds:N0} ms paused)");
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

    private static async Task<Result> RunForAsync(string mode, IPEndPoint endpoint, int concurrency, TimeSpan duration,
        Func<KeepAliveHttpConnection, int, int, Task<bool>> transaction)
    {
        var latencies = new List<double>[concurrency];
        long done = 0;
        long failed = 0;
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var collections = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var pausedBefore = GC.GetTotalPauseDuration();
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var stopwatch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            using var connection = new KeepAliveHttpConnection(endpoint, CmpEndpoints.BasePath, CmpEndpoints.MediaType);
            var mine = latencies[worker] = new List<double>(100_000);
            for (var round = 0; Stopwatch.GetTimestamp() < end; round++)
            {
                var started = Stopwatch.GetTimestamp();
                if (await transaction(connection, worker, round))
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
        var gcs = (GC.CollectionCount(0) - collections.Item1, GC.CollectionCount(1) - collections.Item2, GC.CollectionCount(2) - collections.Item3);
        var paused = (GC.GetTotalPauseDuration() - pausedBefore).TotalMilliseconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new Result(mode, concurrency, done, failed, seconds, cpuSeconds, Percentile(all, 0.50), Percentile(all, 0.99), gcs, paused);
    }

    /// <summary>
    /// Runs <paramref name="transaction"/> until tiered compilation has caught up: on 2 busy cores the background JIT
    /// recompiles thousands of hot methods (tier 1, PGO) for many seconds and would take a third of the CPU measured.
    /// </summary>
    private static async Task WarmUpAsync(IPEndPoint endpoint, int concurrency, Func<KeepAliveHttpConnection, int, int, Task<bool>> transaction)
    {
        var started = Stopwatch.StartNew();
        long compiled;
        do
        {
            compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
            await RunForAsync("warm-up", endpoint, concurrency, TimeSpan.FromSeconds(1), transaction);
        }
        while (System.Runtime.JitInfo.GetCompiledMethodCount() - compiled >= SettledJitMethodsPerSecond && started.Elapsed < MaxWarmUp);
        Console.WriteLine($"CMP warm-up: {started.Elapsed.TotalSeconds:N0} s until the JIT settled ({System.Runtime.JitInfo.GetCompiledMethodCount() - compiled} methods in the last second)");
    }

    private static async Task<bool> IrAsync(KeepAliveHttpConnection connection, IPasswordMac mac, byte[] certRequest, bool certConf)
    {
        var protection = CmpResponseProtection.WithMac(mac, SecretBytes, ReferenceBytes, null);
        var header = new CmpResponseHeader(2, null, RandomNumberGenerator.GetBytes(16), null) { ImplicitConfirm = !certConf };
        var response = await ExchangeAsync(connection, header, PkiBodyType.Ir, certRequest, protection, [], PkiBodyType.Ip);
        if (response is null || CertificateOf(response) is not { } certificate)
        {
            return false;
        }
        if (!certConf)
        {
            return true;
        }
        var confirm = new CmpResponseHeader(2, null, header.TransactionId, response.Header.SenderNonce);
        return await ExchangeAsync(connection, confirm, PkiBodyType.CertConf, CertConf(certificate), protection, [], PkiBodyType.PkiConf) is not null;
    }

    private static async Task<byte[]> IrForKeyAsync(KeepAliveHttpConnection connection, IPasswordMac mac, byte[] certRequest)
    {
        var header = new CmpResponseHeader(2, null, RandomNumberGenerator.GetBytes(16), null) { ImplicitConfirm = true };
        var response = await ExchangeAsync(connection, header, PkiBodyType.Ir, certRequest, CmpResponseProtection.WithMac(mac, SecretBytes, ReferenceBytes, null),
            [], PkiBodyType.Ip);
        return response is not null && CertificateOf(response) is { } certificate ? certificate : throw new InvalidOperationException("bench setup: ir refused");
    }

    /// <summary>A kur worker's current key and certificate, and the next keys with their CertReqMessages (POP signed), used in turn.</summary>
    private sealed class KurHolder(ECDsa key, byte[] certificate, (ECDsa Key, byte[] Request)[] next)
    {
        public ECDsa Key { get; set; } = key;

        public byte[] Certificate { get; set; } = certificate;

        public (ECDsa Key, byte[] Request)[] Next { get; } = next;

        public int Renewals { get; set; }
    }

    private static async Task<bool> KurAsync(KeepAliveHttpConnection connection, KurHolder holder, IReadOnlyList<CertificateAuthority> chain)
    {
        var (newKey, request) = holder.Next[holder.Renewals % holder.Next.Length];
        // The DCU signs as itself: CmpResponder is the adapter's signer type, reused here as the client's identity.
        var signer = CmpResponder.Delegated(holder.Certificate, holder.Key, chain);
        var header = new CmpResponseHeader(2, null, RandomNumberGenerator.GetBytes(16), null) { ImplicitConfirm = true };
        var response = await ExchangeAsync(connection, header, PkiBodyType.Kur, request, CmpResponseProtection.WithSignature(signer), [holder.Certificate],
            PkiBodyType.Kup);
        if (response is null || CertificateOf(response) is not { } certificate)
        {
            return false;
        }
        holder.Key = newKey;
        holder.Certificate = certificate;
        holder.Renewals++;
        return true;
    }

    /// <summary>Posts one request; the answer if it has the expected body type and echoes our transactionID and senderNonce (RFC 4210 §5.1.1).</summary>
    private static async Task<PkiMessage?> ExchangeAsync(KeepAliveHttpConnection connection, CmpResponseHeader header, PkiBodyType type, byte[] body,
        CmpResponseProtection protection, IReadOnlyList<byte[]> extraCerts, PkiBodyType expected)
    {
        var answer = await connection.PostAsync(CmpMessageWriter.Write(header, type, body, protection, extraCerts, DateTimeOffset.UtcNow));
        if (answer is null)
        {
            return null;
        }
        var response = PkiMessage.Decode(answer);
        return response.BodyType == expected && response.Header.TransactionId.AsSpan().SequenceEqual(header.TransactionId)
            && response.Header.RecipNonce.AsSpan().SequenceEqual(header.SenderNonce) ? response : null;
    }

    /// <summary>The certificate of the first CertResponse of a CertRepMessage (RFC 4210 §5.3.4); null when it carries none.</summary>
    private static byte[]? CertificateOf(PkiMessage response)
    {
        var content = new AsnReader(response.BodyContent, AsnEncodingRules.DER).ReadSequence();
        if (content.PeekTag().TagClass == TagClass.ContextSpecific)
        {
            content.ReadEncodedValue();
        }
        var certResponse = content.ReadSequence().ReadSequence();
        certResponse.ReadInteger();
        // PKIStatus accepted (0) or grantedWithMods (1), then certifiedKeyPair (RFC 4210 §5.2.3, §5.3.4).
        if (!certResponse.ReadSequence().TryReadInt32(out var status) || status > 1 || !certResponse.HasData)
        {
            return null;
        }
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
