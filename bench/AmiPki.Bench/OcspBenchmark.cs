using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using System.Text;
using AmiPki.Core.Audit;
using AmiPki.Core.Authorities;
using AmiPki.Core.Devices;
using AmiPki.Core.Issuance;
using AmiPki.Core.Profiles;
using AmiPki.Core.Storage;
using AmiPki.Protocols.Ocsp;
using AmiPki.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AmiPki.Bench;

/// <summary>
/// OCSP requests per second, AmiPki beside <c>openssl ocsp -index …</c> on the same machine, in the same run, driven by
/// the same load generator (<see cref="OcspLoadGenerator"/>: HTTP/1.1 keep-alive POSTs, no nonce, SHA-1 CertIDs over
/// a rotating set of issued certificates). AmiPki runs its real responder (pre-signed responses, delegated P-256
/// responder) in this process, so its figure also pays for the load generator; openssl runs as its own process(es).
/// </summary>
public static class OcspBenchmark
{
    public static async Task<IReadOnlyList<OcspLoadGenerator.Result>> RunAsync(TimeSpan duration, IReadOnlyList<int>? concurrencies = null,
        int certificates = 2_000, int opensslProcesses = 0)
    {
        concurrencies ??= [16, 64];
        opensslProcesses = opensslProcesses > 0 ? opensslProcesses : Environment.ProcessorCount;
        var data = Path.Combine(Path.GetTempPath(), "amipki-ocspbench-" + Guid.NewGuid().ToString("N")[..8]);
        var options = new AmiPkiOptions
        {
            DataDirectory = data,
            KeyPassphrase = "bench-only-passphrase",
            ProfilesDirectory = Path.Combine(AppContext.BaseDirectory, "profiles"),
        };
        var results = new List<OcspLoadGenerator.Result>();
        try
        {
            await using var runtime = await AmiPkiRuntime.CreateOrOpenAsync(options, TimeProvider.System, CancellationToken.None);
            await runtime.InitializeAsync("software", CancellationToken.None);
            var issuance = await runtime.LoadAuthoritiesAsync(CancellationToken.None);
            var issuer = runtime.Authorities!.Find("issuing-s1")!;
            var issued = await IssueAsync(issuance, certificates);

            var port = FreePort();
            await using (var app = BuildServer(runtime, port))
            {
                await app.StartAsync();
                await app.Services.GetRequiredService<OcspResponder>().Ready;
                var requests = issued.Select(c => OcspLoadGenerator.Post("127.0.0.1", port, "/ocsp", Request(issuer.Certificate, c.SerialNumberBytes.ToArray())))
                    .ToArray();
                var endpoint = new IPEndPoint(IPAddress.Loopback, port);
                // Warm-up signs every response once (the cache), as a running responder would have.
                await OcspLoadGenerator.RunAsync("warm-up", endpoint, requests, 16, TimeSpan.FromSeconds(2));
                foreach (var concurrency in concurrencies)
                {
                    results.Add(await OcspLoadGenerator.RunAsync("AmiPki", endpoint, requests, concurrency, duration));
                }
            }

            var opensslPort = FreePort();
            using var openssl = await StartOpensslResponderAsync(issuance, issuer, issued, data, opensslPort, opensslProcesses);
            var opensslRequests = issued.Select(c => OcspLoadGenerator.Post("127.0.0.1", opensslPort, "/", Request(issuer.Certificate, c.SerialNumberBytes.ToArray())))
                .ToArray();
            var opensslEndpoint = new IPEndPoint(IPAddress.Loopback, opensslPort);
            await OcspLoadGenerator.RunAsync("warm-up", opensslEndpoint, opensslRequests, 4, TimeSpan.FromSeconds(1));
            foreach (var concurrency in concurrencies)
            {
                results.Add(await OcspLoadGenerator.RunAsync($"openssl ocsp -index (-multi {opensslProcesses})", opensslEndpoint, opensslRequests, concurrency,
                    duration));
            }
            return results;
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

    /// <summary>Prints the results as the other benchmarks do, with the ratio to openssl at each concurrency.</summary>
    public static void Print(IReadOnlyList<OcspLoadGenerator.Result> results)
    {
        foreach (var result in results)
        {
            var baseline = results.FirstOrDefault(r => r.Target.StartsWith("openssl", StringComparison.Ordinal) && r.Concurrency == result.Concurrency);
            var ratio = result.Target == "AmiPki" && baseline is not null ? $"  ({result.PerSecond / baseline.PerSecond:N1}x openssl)" : "";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {result.Target,-32} c={result.Concurrency,-3} {result.PerSecond,9:N0} req/s  p50 {result.P50Milliseconds,6:N2} ms  p99 {result.P99Milliseconds,6:N2} ms  " +
                $"({result.Requests:N0} ok, {result.Failures:N0} failed, {result.Reconnects:N0} reconnects){ratio}"));
        }
        Console.WriteLine("  target (issue 8): >= 3x the openssl responder's rate");
    }

    private static async Task<X509Certificate2[]> IssueAsync(IssuanceService issuance, int count)
    {
        var issued = new X509Certificate2[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, cancellationToken) =>
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var csr = new CertificateRequest($"CN=4D4D4D{i:X10}", key, HashAlgorithmName.SHA256).CreateSigningRequest();
            var certificate = await issuance.IssueAsync(new EnrollmentRequest(csr, "meter-s1-signing", Requester.Administrator("bench"), EnrollmentProtocol.Cli),
                cancellationToken);
            issued[i] = certificate.ToX509();
        });
        return issued;
    }

    private static WebApplication BuildServer(AmiPkiRuntime runtime, int port)
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
        services.AddSingleton<IDeviceRegistry>(runtime.Storage.Devices);
        services.AddOcspResponder();
        var app = builder.Build();
        app.MapOcspResponder();
        return app;
    }

    /// <summary>
    /// <c>openssl ocsp</c> (3.0: <c>-port</c> takes a port only, so it listens on every interface for the run) as a responder over an index.txt of the same certificates, signing with its own delegated
    /// responder certificate (issued by the same CA under the ocsp-responder profile).
    /// </summary>
    private static async Task<OpensslResponder> StartOpensslResponderAsync(IssuanceService issuance, CertificateAuthority issuer, X509Certificate2[] issued,
        string directory, int port, int processes)
    {
        var work = Path.Combine(directory, "openssl-ocsp");
        Directory.CreateDirectory(work);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest("CN=openssl OCSP responder", key, HashAlgorithmName.SHA256).CreateSigningRequest();
        var responder = await issuance.IssueAsync(new EnrollmentRequest(csr, "ocsp-responder", Requester.Administrator("bench"), EnrollmentProtocol.Internal)
        {
            IssuerName = issuer.Name,
        }, CancellationToken.None);
        await File.WriteAllTextAsync(Path.Combine(work, "rsigner.pem"), PemEncoding.WriteString("CERTIFICATE", responder.Der));
        await File.WriteAllTextAsync(Path.Combine(work, "rkey.pem"), key.ExportPkcs8PrivateKeyPem());
        await File.WriteAllTextAsync(Path.Combine(work, "ca.pem"), issuer.Certificate.ExportCertificatePem());
        var index = new StringBuilder();
        foreach (var certificate in issued)
        {
            // index.txt: status, expiry (YYMMDDHHMMSSZ), revocation date, serial, file name, subject.
            index.Append(CultureInfo.InvariantCulture,
                $"V\t{certificate.NotAfter.ToUniversalTime():yyMMddHHmmss}Z\t\t{certificate.SerialNumber}\tunknown\t/CN={certificate.GetNameInfo(X509NameType.SimpleName, false)}\n");
        }
        await File.WriteAllTextAsync(Path.Combine(work, "index.txt"), index.ToString());
        var start = new ProcessStartInfo("openssl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = work,
        };
        foreach (var argument in new[] { "ocsp", "-index", "index.txt", "-port", port.ToString(CultureInfo.InvariantCulture), "-rsigner", "rsigner.pem", "-rkey", "rkey.pem",
                     "-CA", "ca.pem", "-nmin", "60", "-ignore_err", "-multi", processes.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start openssl ocsp (apt-get install openssl)");
        var log = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(100);
            }
            catch (SocketException e)
            {
                lock (log)
                {
                    throw new InvalidOperationException($"openssl ocsp did not start listening: {log}", e);
                }
            }
        }
        return new OpensslResponder(process);
    }

    private static byte[] Request(X509Certificate2 issuer, byte[] serial)
    {
        var spki = new System.Formats.Asn1.AsnReader(issuer.PublicKey.ExportSubjectPublicKeyInfo(), System.Formats.Asn1.AsnEncodingRules.DER).ReadSequence();
        spki.ReadSequence();
        var keyBits = spki.ReadBitString(out _);
        var writer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (writer.PushSequence()) // OCSPRequest
        using (writer.PushSequence()) // TBSRequest
        using (writer.PushSequence()) // requestList
        using (writer.PushSequence()) // Request
        using (writer.PushSequence()) // CertID
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier("1.3.14.3.2.26");
                writer.WriteNull();
            }
            writer.WriteOctetString(SHA1.HashData(issuer.SubjectName.RawData));
            writer.WriteOctetString(SHA1.HashData(keyBits));
            writer.WriteInteger(serial);
        }
        return writer.Encode();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class OpensslResponder(Process process) : IDisposable
    {
        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
            process.Dispose();
        }
    }
}
