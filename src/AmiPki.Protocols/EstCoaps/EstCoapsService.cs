using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using System.Text;
using AmiPki.Coap.Messages;
using AmiPki.Coap.Server;
using AmiPki.Core.Approvals;
using AmiPki.Core.Authorities;
using AmiPki.Core.Issuance;
using AmiPki.Core.Profiles;
using AmiPki.Protocols.Cms;
using AmiPki.Protocols.Est;
using Microsoft.Extensions.Logging;

namespace AmiPki.Protocols.EstCoaps;

/// <summary>
/// The EST-coaps adapter (RFC 9148): decodes raw DER payloads, authenticates by the DTLS client certificate, calls the
/// issuance pipeline and answers with CoAP codes — 2.05 for GET, 2.04 for POST (§4.2), 4.xx with a diagnostic payload,
/// 5.03 + Max-Age while an approval is pending (§5.7). No exception reaches a client.
/// </summary>
internal sealed class EstCoapsService
{
    private readonly EstCoapsOptions _options;
    private readonly EstCoapsLabels _labels;
    private readonly EstCoapsAuthenticator _authenticator;
    private readonly IssuanceService _issuance;
    private readonly CaHierarchy _authorities;
    private readonly ProfileSet _profiles;
    private readonly IPendingRequestStore? _pending;
    private readonly EstCoapsAudit _audit;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, byte[]> _caCerts = new(StringComparer.Ordinal);
    private readonly ApprovedRequestIssuer? _approved;

    public EstCoapsService(EstCoapsOptions options, EstCoapsLabels labels, EstCoapsAuthenticator authenticator, IssuanceService issuance,
        IPendingRequestStore? pending, EstCoapsAudit audit, TimeProvider time, ILogger<EstCoapsService> logger)
    {
        _options = options;
        _labels = labels;
        _authenticator = authenticator;
        _issuance = issuance;
        _authorities = issuance.Authorities;
        _profiles = issuance.Profiles;
        _pending = pending;
        _approved = pending is null ? null : new ApprovedRequestIssuer(issuance, pending);
        _audit = audit;
        _time = time;
        _logger = logger;
    }

    /// <summary>/crts (RFC 9148 §4.1, RFC 7030 §4.1): the issuing CA's chain as certs-only (281), or only the issuing CA (287).</summary>
    public Task<CoapResponse> CaCertsAsync(CoapRequest request, string? label) => RunAsync(request, EstCoapsOperation.CaCerts, label, () =>
    {
        RequireMethod(request, CoapCode.Get);
        int format = Negotiate(request, EstCoapsContentFormat.Pkcs7CertsOnly, EstCoapsContentFormat.PkixCert);
        var issuer = _labels.Resolve(label).Issuers[0];
        var chain = _authorities.ChainOf(issuer);
        var body = format == EstCoapsContentFormat.PkixCert
            ? chain[0].Certificate.RawData
            : _caCerts.GetOrAdd(issuer, _ => CertsOnlyCms.Encode(chain.Select(authority => (ReadOnlyMemory<byte>)authority.Certificate.RawData)));
        return Task.FromResult(CoapResponse.Content(body, format));
    });

    /// <summary>/att (RFC 9148 §4.1, RFC 7030 §4.5): what the profile wants in a CSR, DER csrattrs (285).</summary>
    public Task<CoapResponse> CsrAttrsAsync(CoapRequest request, string? label) => RunAsync(request, EstCoapsOperation.CsrAttrs, label, () =>
    {
        RequireMethod(request, CoapCode.Get);
        int format = Negotiate(request, EstCoapsContentFormat.CsrAttrs);
        return Task.FromResult(CoapResponse.Content(CsrAttributes.Encode(_labels.Resolve(label)), format));
    });

    /// <summary>/sen and /sren (RFC 9148 §4.1, RFC 7030 §4.2): a DER CSR (286) in, the certificate as 281 or 287 out, 2.04.</summary>
    public Task<CoapResponse> EnrollAsync(CoapRequest request, string? label, bool renewal, CancellationToken cancellationToken)
    {
        EstCoapsIdentity? identity = null;
        return RunAsync(request, renewal ? EstCoapsOperation.SimpleReenroll : EstCoapsOperation.SimpleEnroll, label, async () =>
        {
            RequireMethod(request, CoapCode.Post);
            int format = Negotiate(request, EstCoapsContentFormat.Pkcs7CertsOnly, EstCoapsContentFormat.PkixCert);
            var csrDer = RequireCsr(request);

            // A re-enrollment without a label renews under the profile of the certificate being renewed.
            var labelled = renewal && label is null ? null : _labels.Resolve(label);
            identity = renewal
                ? await _authenticator.AuthenticateRenewalAsync(request.PeerCertificateChain, cancellationToken).ConfigureAwait(false)
                : await _authenticator.AuthenticateEnrollAsync(request.PeerCertificateChain, cancellationToken).ConfigureAwait(false);
            var profile = labelled ?? ProfileOf(identity);
            var enrollment = new EnrollmentRequest(csrDer, profile.Name, identity.Requester, EnrollmentProtocol.EstCoaps);
            var issued = profile.ManualApproval
                ? await ApprovedOrPendingAsync(enrollment).ConfigureAwait(false)
                : (await _issuance.IssueAsync(enrollment, CancellationToken.None).ConfigureAwait(false)).Der;
            return CoapResponse.Changed(format == EstCoapsContentFormat.PkixCert ? issued : CertsOnly(issued), format);
        }, () => identity?.Requester.Identity);
    }

    /// <summary>
    /// /skg (RFC 9148 §4.8, RFC 7030 §4.4): the CSR gives subject and extensions, the server makes the key; the answer
    /// is multipart-core (62) <c>[284, pkcs8, 281, certs-only]</c>. DTLS protects the unencrypted key in transit.
    /// </summary>
    public Task<CoapResponse> ServerKeyGenAsync(CoapRequest request, string? label, CancellationToken cancellationToken)
    {
        EstCoapsIdentity? identity = null;
        return RunAsync(request, EstCoapsOperation.ServerKeyGen, label, async () =>
        {
            RequireMethod(request, CoapCode.Post);
            int format = Negotiate(request, EstCoapsContentFormat.MultipartCore);
            var csrDer = RequireCsr(request);
            var profile = _labels.Resolve(label);
            identity = await _authenticator.AuthenticateEnrollAsync(request.PeerCertificateChain, cancellationToken).ConfigureAwait(false);
            if (profile.ManualApproval)
            {
                // The key would have to be kept until an admin decides; it is never stored, so this cannot wait.
                throw EstCoapsProblem.Forbidden($"profile {profile.Name} needs manual approval, which server-side key generation cannot wait for");
            }

            var clientCsr = ParseCsr(csrDer);
            var (key, serverCsr) = ServerKeyGeneration.Generate(ServerKeyGeneration.ChooseAlgorithm(profile, clientCsr), clientCsr);
            using (key)
            {
                var enrollment = new EnrollmentRequest(serverCsr, profile.Name, identity.Requester, EnrollmentProtocol.EstCoaps)
                {
                    // We made and signed the CSR with the key just generated: possession is certain.
                    ProofOfPossessionVerified = true,
                };
                var issued = await _issuance.IssueAsync(enrollment, CancellationToken.None).ConfigureAwait(false);
                var pkcs8 = ServerKeyGeneration.ExportPkcs8(key);
                try
                {
                    var body = MultipartCore.Encode([(EstCoapsContentFormat.Pkcs8, pkcs8), (EstCoapsContentFormat.Pkcs7CertsOnly, CertsOnly(issued.Der))]);
                    return CoapResponse.Changed(body, format);
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(pkcs8);
                }
            }
        }, () => identity?.Requester.Identity);
    }

    /// <summary>The RFC 9148 §5 discovery root <c>/.well-known/est</c> (rt="ace.est"): its operations as link-format.</summary>
    public static CoapResponse Root(CoapRequest request, string links) =>
        request.Method == CoapCode.Get
            ? CoapResponse.Content(Encoding.UTF8.GetBytes(links), EstCoapsContentFormat.LinkFormat)
            : CoapResponse.Error(CoapCode.MethodNotAllowed);

    private static byte[] CertsOnly(byte[] certificateDer) => CertsOnlyCms.Encode(certificateDer);

    private static void RequireMethod(CoapRequest request, byte method)
    {
        if (request.Method != method)
        {
            throw new EstCoapsProblem(CoapCode.MethodNotAllowed, $"use {(method == CoapCode.Get ? "GET" : "POST")} here (RFC 9148 §4.1)");
        }
    }

    /// <summary>Accept (RFC 7252 §5.10.4): absent means the first format; one we cannot produce is 4.06.</summary>
    private static int Negotiate(CoapRequest request, params int[] offered)
    {
        if (request.Accept is not { } accept)
        {
            return offered[0];
        }

        return offered.Contains(accept)
            ? accept
            : throw EstCoapsProblem.NotAcceptable($"Accept {accept} cannot be produced here; offered: {string.Join(", ", offered)}");
    }

    /// <summary>The request body must be a raw DER PKCS#10 with Content-Format 286 (RFC 9148 §4.1); otherwise 4.15 / 4.00.</summary>
    private static byte[] RequireCsr(CoapRequest request)
    {
        if (request.ContentFormat != EstCoapsContentFormat.Pkcs10)
        {
            throw EstCoapsProblem.UnsupportedContentFormat(request.ContentFormat is { } given
                ? $"Content-Format {given} is not application/pkcs10 ({EstCoapsContentFormat.Pkcs10})"
                : $"Content-Format application/pkcs10 ({EstCoapsContentFormat.Pkcs10}) is required");
        }

        if (request.Payload.IsEmpty)
        {
            throw EstCoapsProblem.BadRequest("the request carries no CSR");
        }

        return request.Payload.ToArray();
    }

    /// <summary>A re-enrollment without a label renews under the profile of the certificate being renewed; the core says whether EST-coaps may.</summary>
    private CertificateProfile ProfileOf(EstCoapsIdentity identity) =>
        identity.RenewingProfile is { } name && _profiles.Find(name) is { } profile
            ? profile
            : throw EstCoapsProblem.Forbidden($"the certificate being renewed is of profile {identity.RenewingProfile}, which this server does not know");

    private static CertificationRequest ParseCsr(byte[] csrDer)
    {
        try
        {
            return CertificationRequest.Parse(csrDer);
        }
        catch (IssuanceRefusal refusal)
        {
            // Refused before the pipeline: re-thrown as the adapter's own so that it is audited here.
            throw new EstCoapsProblem(EstCoapsProblem.CodeOf(refusal.Kind), refusal.Reason);
        }
    }

    /// <summary>
    /// Manual approval: the first request is checked, recorded and answered 5.03 with Max-Age (RFC 9148 §5.7); the same
    /// request repeated gets the certificate once an admin approved it — the same certificate every time.
    /// </summary>
    private async Task<byte[]> ApprovedOrPendingAsync(EnrollmentRequest request)
    {
        var store = _pending ?? throw new EstCoapsProblem(CoapCode.ServiceUnavailable,
            $"profile {request.ProfileName} needs manual approval, but no approval store is configured on this server");
        var id = PendingRequestId.Compute(request.Protocol, request.ProfileName, request.Requester.Identity, request.CsrDer.Span);
        var existing = await store.FindAsync(id, CancellationToken.None).ConfigureAwait(false);
        switch (existing?.State)
        {
            case null:
                var prepared = await _issuance.PrepareAsync(request, CancellationToken.None).ConfigureAwait(false);
                var device = prepared.Request.Device is { } d ? $"systemTitle={d.SystemTitle ?? "-"} lot={d.ManufacturerLot ?? "-"} dcu={d.Dcu ?? "-"} idevid={d.DeviceId ?? "-"}" : null;
                await store.SubmitAsync(new PendingRequest(id, request.Protocol, request.ProfileName, request.Requester.Identity, prepared.Subject,
                    request.CsrDer.ToArray(), request.Requester.Holder?.Certificate.Der, device, PendingRequestState.Pending, _time.GetUtcNow()), CancellationToken.None)
                    .ConfigureAwait(false);
                await _audit.PendingAsync(request.Requester.Identity, id, request.ProfileName, prepared.Subject).ConfigureAwait(false);
                EstCoapsLog.Pending(_logger, id, request.ProfileName);
                throw Waiting(id);
            case PendingRequestState.Pending:
                throw Waiting(id);
            case PendingRequestState.Rejected:
                throw EstCoapsProblem.Forbidden($"request {id} was rejected by {existing.DecidedBy}{(existing.Reason is { Length: > 0 } r ? ": " + r : "")}");
            case PendingRequestState.Issued:
                return existing.CertificateDer!;
        }

        // Approved: issued once by the core, even if the meter repeats from several sessions (or nodes) at the same time.
        return (await _approved!.IssueOnceAsync(id, request, CancellationToken.None).ConfigureAwait(false)).Der;
    }

    private EstCoapsProblem Waiting(string id) => new(CoapCode.ServiceUnavailable,
        $"request {id} is waiting for approval; repeat it after {_options.RetryAfterSeconds} s", (uint)Math.Max(0, _options.RetryAfterSeconds));

    /// <summary>Runs one request: every refusal becomes its CoAP code and reason; nothing unexpected escapes to the client.</summary>
    private async Task<CoapResponse> RunAsync(CoapRequest request, string operation, string? label, Func<Task<CoapResponse>> body, Func<string?>? actor = null)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (EstCoapsProblem problem)
        {
            if (problem.MaxAge is null)
            {
                await _audit.RefusedAsync(operation, label, actor?.Invoke() ?? PeerName(request), CoapCode.Format(problem.Code), problem.Reason)
                    .ConfigureAwait(false);
            }

            return ToResponse(problem);
        }
        catch (IssuanceRefusal refusal)
        {
            // Thrown by the pipeline itself, which has already audited it.
            return ToResponse(EstCoapsProblem.From(refusal));
        }
        catch (Exception e) when (Core.Storage.StorageUnavailableException.Find(e) is { } outage)
        {
            // Temporary: 5.03 with Max-Age, how long to wait before repeating the request (RFC 7252 §5.9.3.4).
            EstCoapsLog.Failed(_logger, e, operation);
            return new CoapResponse(CoapCode.ServiceUnavailable)
            {
                Payload = Encoding.UTF8.GetBytes($"storage is temporarily unavailable; retry after {outage.RetryAfterSeconds} s"),
                MaxAge = (uint)outage.RetryAfterSeconds,
            };
        }
#pragma warning disable CA1031 // The last line of defence: a bug costs one request a 5.00, never the client an exception.
        catch (Exception e)
#pragma warning restore CA1031
        {
            EstCoapsLog.Failed(_logger, e, operation);
            return CoapResponse.Error(CoapCode.InternalServerError, "internal error; the request was not completed");
        }
    }

    /// <summary>Who asked, for the audit trail of a request refused before it was authenticated: the certificate's subject and the address.</summary>
    private static string PeerName(CoapRequest request)
    {
        if (request.PeerCertificateChain is { Count: > 0 } chain)
        {
            try
            {
                using var leaf = X509CertificateLoader.LoadCertificate(chain[0]);
                return $"cert:{leaf.Subject}@{request.Peer}";
            }
            catch (CryptographicException)
            {
                // Fall through to the address alone.
            }
        }

        return $"anonymous@{request.Peer}";
    }

    private static CoapResponse ToResponse(EstCoapsProblem problem) =>
        new(problem.Code) { Payload = Encoding.UTF8.GetBytes(problem.Reason.ReplaceLineEndings(" ")), MaxAge = problem.MaxAge };
}
