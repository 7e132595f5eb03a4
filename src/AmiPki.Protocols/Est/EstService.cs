using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using System.Text;
using AmiPki.Core.Approvals;
using AmiPki.Core.Authorities;
using AmiPki.Core.Issuance;
using AmiPki.Core.Profiles;
using AmiPki.Protocols.Cms;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AmiPki.Protocols.Est;

/// <summary>
/// The EST adapter (RFC 7030): decodes, authenticates in EST's ways, calls the issuance pipeline and encodes the
/// answer — including EST's error form, a status with a one-line text/plain reason. No exception reaches a client.
/// </summary>
internal sealed class EstService
{
    private readonly EstOptions _options;
    private readonly EstLabels _labels;
    private readonly EstAuthenticator _authenticator;
    private readonly IssuanceService _issuance;
    private readonly CaHierarchy _authorities;
    private readonly ProfileSet _profiles;
    private readonly IPendingRequestStore? _pending;
    private readonly EstAudit _audit;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, byte[]> _caCerts = new(StringComparer.Ordinal);
    private readonly ApprovedRequestIssuer? _approved;

    public EstService(EstOptions options, EstLabels labels, EstAuthenticator authenticator, IssuanceService issuance, CaHierarchy authorities,
        IPendingRequestStore? pending, EstAudit audit, TimeProvider time, ILogger<EstService> logger)
    {
        _options = options;
        _labels = labels;
        _authenticator = authenticator;
        _issuance = issuance;
        _authorities = authorities;
        _profiles = issuance.Profiles;
        _pending = pending;
        _approved = pending is null ? null : new ApprovedRequestIssuer(issuance, pending);
        _audit = audit;
        _time = time;
        _logger = logger;
    }

    /// <summary>/cacerts (RFC 7030 §4.1): the chain of the profile's issuing CA up to the root, certs-only; no client authentication.</summary>
    public Task CaCertsAsync(HttpContext context, string? label) => RunAsync(context, EstOperation.CaCerts, label, async () =>
    {
        var profile = _labels.Resolve(label);
        var issuer = profile.Issuers[0];
        var body = _caCerts.GetOrAdd(issuer, name => CertsOnlyCms.Encode(_authorities.ChainOf(name).Select(a => (ReadOnlyMemory<byte>)a.Certificate.RawData)));
        await EstResults.WriteBase64Async(context, EstMediaTypes.Pkcs7Mime, body);
    });

    /// <summary>/csrattrs (RFC 7030 §4.5): what the profile wants in a CSR; no client authentication (§4.5.1 allows either).</summary>
    public Task CsrAttrsAsync(HttpContext context, string? label) => RunAsync(context, EstOperation.CsrAttrs, label, async () =>
    {
        var profile = _labels.Resolve(label);
        await EstResults.WriteBase64Async(context, EstMediaTypes.CsrAttrs, CsrAttributes.Encode(profile));
    });

    /// <summary>/simpleenroll and /simplereenroll (RFC 7030 §4.2).</summary>
    public Task EnrollAsync(HttpContext context, string? label, bool renewal)
    {
        var operation = renewal ? EstOperation.SimpleReenroll : EstOperation.SimpleEnroll;
        EstIdentity? identity = null;
        return RunAsync(context, operation, label, async () =>
        {
            // A re-enrollment without a label renews under the profile of the certificate being renewed.
            var labelled = renewal && label is null ? null : _labels.Resolve(label);
            var csrDer = await EstRequestBody.ReadPkcs10Async(context);
            identity = renewal
                ? await _authenticator.AuthenticateRenewalAsync(context, context.RequestAborted)
                : await _authenticator.AuthenticateEnrollAsync(context, labelled!, context.RequestAborted);
            var profile = labelled ?? ProfileOf(identity);
            var request = new EnrollmentRequest(csrDer, profile.Name, identity.Requester, EnrollmentProtocol.Est);
            var issued = profile.ManualApproval
                ? await ApprovedOrPendingAsync(context, request)
                : (await _issuance.IssueAsync(request, CancellationToken.None)).Der;
            if (issued is not null)
            {
                await EstResults.WriteBase64Async(context, EstMediaTypes.CertsOnly, CertsOnlyCms.Encode(issued));
            }
        }, () => identity?.Requester.Identity);
    }

    /// <summary>/serverkeygen (RFC 7030 §4.4): multipart/mixed with the PKCS#8 key and the certs-only certificate.</summary>
    public Task ServerKeyGenAsync(HttpContext context, string? label)
    {
        EstIdentity? identity = null;
        return RunAsync(context, EstOperation.ServerKeyGen, label, async () =>
        {
            var profile = _labels.Resolve(label);
            var csrDer = await EstRequestBody.ReadPkcs10Async(context);
            identity = await _authenticator.AuthenticateEnrollAsync(context, profile, context.RequestAborted);
            if (profile.ManualApproval)
            {
                // The key would have to be kept until an admin decides; it is never stored, so this cannot wait.
                throw EstProblem.Forbidden($"profile {profile.Name} needs manual approval, which server-side key generation cannot wait for");
            }
            var clientCsr = ParseCsr(csrDer);
            var (key, serverCsr) = ServerKeyGeneration.Generate(ServerKeyGeneration.ChooseAlgorithm(profile, clientCsr), clientCsr);
            using (key)
            {
                var request = new EnrollmentRequest(serverCsr, profile.Name, identity.Requester, EnrollmentProtocol.Est)
                {
                    // We made and signed the CSR with the key just generated: possession is certain.
                    ProofOfPossessionVerified = true,
                };
                var issued = (await _issuance.IssueAsync(request, CancellationToken.None)).Der;
                var pkcs8 = ServerKeyGeneration.ExportPkcs8(key);
                try
                {
                    await WriteKeyAndCertificateAsync(context, pkcs8, CertsOnlyCms.Encode(issued));
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(pkcs8);
                }
            }
        }, () => identity?.Requester.Identity);
    }

    /// <summary>A re-enrollment without a label renews under the profile of the certificate being renewed; the core says whether EST may.</summary>
    private CertificateProfile ProfileOf(EstIdentity identity) =>
        identity.RenewingProfile is { } name && _profiles.Find(name) is { } profile
            ? profile
            : throw EstProblem.Forbidden($"the certificate being renewed is of profile {identity.RenewingProfile}, which this server does not know");

    private static CertificationRequest ParseCsr(byte[] csrDer)
    {
        try
        {
            return CertificationRequest.Parse(csrDer);
        }
        catch (IssuanceRefusal refusal)
        {
            // Refused before the pipeline: the adapter audits it (RunAsync), so it is re-thrown as the adapter's own.
            throw EstProblem.From(refusal);
        }
    }

    /// <summary>
    /// Manual approval (RFC 7030 §4.2.3): the first request is checked and recorded, and answered 202 + Retry-After;
    /// the same request repeated returns the certificate once an admin approved it, the same certificate every time.
    /// </summary>
    /// <returns>The certificate, or null when the answer (202) has been written.</returns>
    private async Task<byte[]?> ApprovedOrPendingAsync(HttpContext context, EnrollmentRequest request)
    {
        var store = _pending ?? throw new EstProblem(StatusCodes.Status503ServiceUnavailable,
            $"profile {request.ProfileName} needs manual approval, but no approval store is configured on this server");
        var id = PendingRequestId.Compute(request.Protocol, request.ProfileName, request.Requester.Identity, request.CsrDer.Span);
        var existing = await store.FindAsync(id, CancellationToken.None);
        switch (existing?.State)
        {
            case null:
                var prepared = await _issuance.PrepareAsync(request, CancellationToken.None);
                var device = prepared.Request.Device is { } d ? $"systemTitle={d.SystemTitle ?? "-"} lot={d.ManufacturerLot ?? "-"} dcu={d.Dcu ?? "-"} idevid={d.DeviceId ?? "-"}" : null;
                await store.SubmitAsync(new PendingRequest(id, request.Protocol, request.ProfileName, request.Requester.Identity, prepared.Subject,
                    request.CsrDer.ToArray(), request.Requester.Holder?.Certificate.Der, device, PendingRequestState.Pending, _time.GetUtcNow()), CancellationToken.None);
                await _audit.PendingAsync(request.Requester.Identity, id, request.ProfileName, prepared.Subject);
                EstLog.Pending(_logger, id, request.ProfileName);
                await WriteAcceptedAsync(context, id);
                return null;
            case PendingRequestState.Pending:
                await WriteAcceptedAsync(context, id);
                return null;
            case PendingRequestState.Rejected:
                throw EstProblem.Forbidden($"request {id} was rejected by {existing.DecidedBy}{(existing.Reason is { Length: > 0 } r ? ": " + r : "")}");
            case PendingRequestState.Issued:
                return existing.CertificateDer!;
        }
        // Approved: issued once by the core, even if the client polls from several connections (or nodes) at the same time.
        return (await _approved!.IssueOnceAsync(id, request, CancellationToken.None)).Der;
    }

    private Task WriteAcceptedAsync(HttpContext context, string id)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status202Accepted;
        response.Headers.RetryAfter = _options.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.ContentType = EstMediaTypes.Text;
        var body = Encoding.UTF8.GetBytes($"request {id} is waiting for approval; repeat it after {_options.RetryAfterSeconds} s\n");
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    private static Task WriteKeyAndCertificateAsync(HttpContext context, byte[] pkcs8, byte[] certsOnly)
    {
        // RFC 7030 §4.4.2: multipart/mixed, the private key first (application/pkcs8), then the certificate (certs-only).
        var boundary = "est-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant();
        var text = new StringBuilder()
            .Append("--").Append(boundary).Append("\r\n")
            .Append("Content-Type: ").Append(EstMediaTypes.Pkcs8).Append("\r\n")
            .Append("Content-Transfer-Encoding: base64\r\n\r\n")
            .Append(EstBase64.Encode(pkcs8).Replace("\n", "\r\n", StringComparison.Ordinal))
            .Append("--").Append(boundary).Append("\r\n")
            .Append("Content-Type: ").Append(EstMediaTypes.CertsOnly).Append("\r\n")
            .Append("Content-Transfer-Encoding: base64\r\n\r\n")
            .Append(EstBase64.Encode(certsOnly).Replace("\n", "\r\n", StringComparison.Ordinal))
            .Append("--").Append(boundary).Append("--\r\n");
        var body = Encoding.ASCII.GetBytes(text.ToString());
        text.Clear();
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = $"{EstMediaTypes.Multipart}; boundary={boundary}";
        response.ContentLength = body.Length;
        // The key must not linger in a cache between client and server.
        response.Headers.CacheControl = "no-store";
        return WriteAndClearAsync(response, body, context.RequestAborted);
    }

    private static async Task WriteAndClearAsync(HttpResponse response, byte[] body, CancellationToken cancellationToken)
    {
        try
        {
            await response.Body.WriteAsync(body, cancellationToken);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(body);
        }
    }

    /// <summary>Runs one request: every refusal becomes its status and reason; nothing unexpected escapes to the client.</summary>
    private async Task RunAsync(HttpContext context, string operation, string? label, Func<Task> body, Func<string?>? actor = null)
    {
        try
        {
            await body();
        }
        catch (EstProblem problem)
        {
            await _audit.RefusedAsync(context, operation, label, actor?.Invoke(), problem.Status, problem.Reason);
            await TryWriteAsync(context, problem);
        }
        catch (IssuanceRefusal refusal)
        {
            // Thrown by the pipeline itself, which has already audited it.
            await TryWriteAsync(context, EstProblem.From(refusal));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
        catch (Exception e) when (Core.Storage.StorageUnavailableException.Find(e) is { } outage)
        {
            // Temporary: nothing is wrong with the request, the client repeats it later.
            EstLog.Failed(_logger, e, operation);
            await TryWriteAsync(context, EstProblem.StorageUnavailable(outage.RetryAfterSeconds));
        }
        catch (Exception e)
        {
            EstLog.Failed(_logger, e, operation);
            await TryWriteAsync(context, new EstProblem(StatusCodes.Status500InternalServerError, "internal error; the request was not completed"));
        }
    }

    private async Task TryWriteAsync(HttpContext context, EstProblem problem)
    {
        if (context.Response.HasStarted)
        {
            context.Abort();
            return;
        }
        try
        {
            context.Response.Clear();
            await EstResults.WriteProblemAsync(context, problem, _options.Realm);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            context.Abort();
        }
    }
}
