using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using System.Text;

namespace AmiPki.Interop.Tests.Crash;

/// <summary>
/// Many concurrent EST simpleenroll requests (RFC 7030 §4.2.1, HTTP Basic, §3.2.3) against a real server, each with a
/// fresh P-256 key and CSR. Every certificate received is recorded as acknowledged. Optionally calls a kill action (the
/// test's SIGKILL) the moment the acknowledgement count reaches a chosen number; requests keep starting until that action
/// has finished, then no further request starts.
/// </summary>
public sealed class EstLoad
{
    private readonly Uri _enroll;
    private readonly string _authorization;
    private readonly X509Certificate2Collection _roots;
    private readonly X509Certificate2Collection _intermediates;
    private readonly string _subjectPrefix;

    public EstLoad(string httpsBase, string profile, string account, string secret, string rootPemPath, string chainPemPath, string subjectPrefix)
    {
        _enroll = new Uri($"{httpsBase}/.well-known/est/{profile}/simpleenroll");
        _authorization = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{account}:{secret}"));
        _roots = new X509Certificate2Collection();
        _roots.ImportFromPemFile(rootPemPath);
        _intermediates = new X509Certificate2Collection();
        _intermediates.ImportFromPemFile(chainPemPath);
        _subjectPrefix = subjectPrefix;
    }

    /// <param name="requests">How many enrollments to attempt.</param>
    /// <param name="inFlight">How many at once (one HTTPS connection each).</param>
    /// <param name="killAtAcknowledged">The acknowledgement count at which <paramref name="kill"/> runs; null: never.</param>
    public async Task<EstLoadResult> RunAsync(int requests, int inFlight, int? killAtAcknowledged, Func<Task> kill)
    {
        var acknowledged = new ConcurrentQueue<AcknowledgedCertificate>();
        var unexpected = new ConcurrentQueue<string>();
        var failedAfterKill = 0;
        var killRequested = 0;
        Task? killing = null;
        using var stopStarting = new CancellationTokenSource();
        // A fresh pool per run: connections to a killed server are dead.
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = inFlight,
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = ValidateServer },
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };

        async Task KillThenStopStartingAsync()
        {
            try
            {
                await kill();
            }
            finally
            {
                await stopStarting.CancelAsync();
            }
        }

        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, requests), new ParallelOptions { MaxDegreeOfParallelism = inFlight, CancellationToken = stopStarting.Token },
                async (n, _) =>
                {
                    try
                    {
                        // Not cancelled by the kill: a request in flight runs until the dead server's socket fails it.
                        var certificate = await EnrollAsync(client, n);
                        acknowledged.Enqueue(certificate);
                        if (killAtAcknowledged is { } at && acknowledged.Count >= at && Interlocked.Exchange(ref killRequested, 1) == 0)
                        {
                            // Requests keep starting until the kill is done: a kill action that first holds signatures
                            // (CrashRecoveryTests) needs requests arriving at the signature to hold.
                            killing = KillThenStopStartingAsync();
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or EnrollmentRefused)
                    {
                        if (Volatile.Read(ref killRequested) == 1)
                        {
                            Interlocked.Increment(ref failedAfterKill);
                        }
                        else
                        {
                            unexpected.Enqueue($"request {n}: {e.GetType().Name}: {e.Message}");
                        }
                    }
                });
        }
        catch (OperationCanceledException) when (stopStarting.IsCancellationRequested)
        {
            // The kill stopped the loop from starting more requests.
        }
        if (killing is not null)
        {
            await killing;
        }
        return new EstLoadResult(acknowledged.ToList(), unexpected.ToList(), failedAfterKill, killRequested == 1);
    }

    private async Task<AcknowledgedCertificate> EnrollAsync(HttpClient client, int n)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest($"CN={_subjectPrefix}-{n}.example", key, HashAlgorithmName.SHA256).CreateSigningRequest();
        using var request = new HttpRequestMessage(HttpMethod.Post, _enroll)
        {
            Content = new StringContent(Convert.ToBase64String(csr), Encoding.ASCII, "application/pkcs10"),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/pkcs10");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", _authorization);
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new EnrollmentRefused($"HTTP {(int)response.StatusCode}: {body.Trim()}");
        }
        // RFC 7030 §4.2.3: a base64 certs-only CMS SignedData holding the certificate.
        var cms = new SignedCms();
        cms.Decode(Convert.FromBase64String(body));
        var certificate = cms.Certificates[0];
        return new AcknowledgedCertificate(certificate.SerialNumber, certificate.Issuer, certificate.RawData);
    }

    private bool ValidateServer(object sender, X509Certificate? certificate, X509Chain? _, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
        chain.ChainPolicy.ExtraStore.AddRange(_intermediates);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }

    /// <summary>A non-200 answer: before the kill, a defect.</summary>
    private sealed class EnrollmentRefused(string message) : Exception(message);
}
