using AmiPki.Core.Operations;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using AmiPki.Core.Audit;
using AmiPki.Core.Credentials;
using AmiPki.Core.Storage;
using AmiPki.Protocols.Scep;
using AmiPki.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AmiPki.Bench;

/// <summary>
/// SCEP PKCSReq enrollments per second (RFC 8894 §3.3.1) over HTTP POST at a fixed concurrency: static challenge,
/// profile network-device, RSA-2048 requesters, each enrollment durable (SQLite synchronous=FULL, group commit). Per
/// enrollment the server verifies the message and CSR signatures, decrypts the envelope with the RA key, issues and
/// records a certificate, encrypts the reply and signs it with the RA key. Requests are built before the clock starts
/// (RSA key generation is the client's cost, not the server's) and each is answered SUCCESS, which the client checks.
/// </summary>
public static class ScepBenchmark
{
    private const string Challenge = "bench-only-static-challenge";

    public sealed record Result(int Concurrency, long Enrolled, long Failed, double Seconds, double P50Milliseconds, double P99Milliseconds, double CpuMillisecondsPerEnrollment)
    {
        public double PerSecond => Enrolled / Seconds;
    }

    public static async Task PrintAsync(TimeSpan duration, int concurrency = 8)
    {
        Console.WriteLine($"SCEP PKCSReq over HTTP (network-device, RSA-2048 requesters, static challenge, durable), concurrency {concurrency}:");
        var result = await RunAsync(duration, concurrency);
        Console.WriteLine($"  {result.PerSecond,9:N0} enrollments/s ({result.Enrolled:N0} in {result.Seconds:N1} s, {result.Failed} failed); "
            + $"p50 {result.P50Milliseconds:N1} ms, p99 {result.P99Milliseconds:N1} ms; {result.CpuMillisecondsPerEnrollment:N2} CPU ms per enrollment (client included)");
    }

    public static async Task<Result> RunAsync(TimeSpan duration, int concurrency = 8)
    {
        var data = Path.Combine(Path.GetTempPath(), "amipki-scepbench-" + Guid.NewGuid().ToString("N")[..8]);
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
            var port = FreePort();
            await using var app = BuildServer(runtime, port, data);
            await app.StartAsync();
            using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var ra = await RaAsync(client);
            var messages = BuildMessages(ra, 256);

            await EnrollForAsync(client, messages, concurrency, TimeSpan.FromSeconds(2));
            return await EnrollForAsync(client, messages, concurrency, duration);
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

    private static WebApplication BuildServer(AmiPkiRuntime runtime, int port, string data)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http1);
        });
        var services = builder.Services;
        services.AddSingleton(runtime.Time);
        services.AddSingleton(runtime.Issuance!);
        services.AddSingleton(runtime.Authorities!);
        services.AddSingleton(runtime.Profiles!);
        services.AddSingleton<ICertificateReader>(runtime.Storage.Certificates);
        services.AddSingleton<IAuditLog>(runtime.Storage.Audit);
        services.AddSingleton<ICredentialStore>(runtime.Storage.Credentials);
        services.AddSingleton<IOperationalIdentityStore>(runtime.Storage.OperationalIdentities);
        if (runtime.OperationalKeys is { } operationalKeys)
        {
            services.AddSingleton(operationalKeys);
        }
        services.AddScep(scep =>
        {
            scep.StaticChallenges["network-device"] = Challenge;
        });
        var app = builder.Build();
        app.MapScep();
        return app;
    }

    private static async Task<X509Certificate2> RaAsync(HttpClient client)
    {
        var cms = new SignedCms();
        cms.Decode(await client.GetByteArrayAsync("/scep?operation=GetCACert"));
        return cms.Certificates.Cast<X509Certificate2>().Single(c => c.GetRSAPublicKey() is not null);
    }

    /// <summary>PKCSReqs as a client builds them: CSR with challengePassword, AES-128 envelope to the RA, signed by a self-signed certificate.</summary>
    private static byte[][] BuildMessages(X509Certificate2 ra, int count) => Enumerable.Range(0, count).AsParallel().Select(i =>
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN=bench-switch-{i}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.OtherRequestAttributes.Add(new AsnEncodedData(new Oid("1.2.840.113549.1.9.7"), Printable(Challenge)));
        var csr = request.CreateSigningRequest();
        using var self = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var envelope = new EnvelopedCms(new ContentInfo(csr), new AlgorithmIdentifier(new Oid("2.16.840.1.101.3.4.1.2")));
        envelope.Encrypt(new CmsRecipient(SubjectIdentifierType.IssuerAndSerialNumber, ra, RSAEncryptionPadding.Pkcs1));
        var signed = new SignedCms(new ContentInfo(envelope.Encode()));
        var signer = new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, self, key) { DigestAlgorithm = new Oid("2.16.840.1.101.3.4.2.1") };
        signer.SignedAttributes.Add(new AsnEncodedData(new Oid("2.16.840.1.113733.1.9.2"), Printable("19")));
        signer.SignedAttributes.Add(new AsnEncodedData(new Oid("2.16.840.1.113733.1.9.7"), Printable($"bench-{i}")));
        signer.SignedAttributes.Add(new AsnEncodedData(new Oid("2.16.840.1.113733.1.9.5"), Octets(RandomNumberGenerator.GetBytes(16))));
        signed.ComputeSignature(signer, silent: true);
        return signed.Encode();
    }).ToArray();

    private static async Task<Result> EnrollForAsync(HttpClient client, byte[][] messages, int concurrency, TimeSpan duration)
    {
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
                var started = Stopwatch.GetTimestamp();
                using var content = new ByteArrayContent(messages[next++ % messages.Length]);
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-pki-message");
                using var response = await client.PostAsync("/scep?operation=PKIOperation", content);
                var body = await response.Content.ReadAsByteArrayAsync();
                if (response.StatusCode == HttpStatusCode.OK && IsSuccess(body))
                {
                    Interlocked.Increment(ref enrolled);
                    mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        stopwatch.Stop();
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        double Percentile(double p) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)(p * all.Length))];
        return new Result(concurrency, enrolled, failed, stopwatch.Elapsed.TotalSeconds, Percentile(0.50), Percentile(0.99), enrolled == 0 ? double.NaN : cpu / enrolled);
    }

    /// <summary>pkiStatus "0" (RFC 8894 §3.2.1.3) in the CertRep's signed attributes.</summary>
    private static bool IsSuccess(byte[] body)
    {
        try
        {
            var cms = new SignedCms();
            cms.Decode(body);
            foreach (var attribute in cms.SignerInfos[0].SignedAttributes)
            {
                if (attribute.Oid.Value == "2.16.840.1.113733.1.9.3")
                {
                    return attribute.Values[0].RawData.AsSpan().SequenceEqual(Printable("0"));
                }
            }
            return false;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static byte[] Printable(string value)
    {
        var writer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        writer.WriteCharacterString(System.Formats.Asn1.UniversalTagNumber.PrintableString, value);
        return writer.Encode();
    }

    private static byte[] Octets(byte[] value)
    {
        var writer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        writer.WriteOctetString(value);
        return writer.Encode();
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
