using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using System.Text;
using AmiPki.Core.Approvals;
using AmiPki.Core.Authorities;
using AmiPki.Core.Authorization;
using AmiPki.Core.Credentials;
using AmiPki.Core.Issuance;
using AmiPki.Core.Profiles;
using AmiPki.Core.Storage;
using AmiPki.Protocols.Crl;
using Microsoft.Extensions.Logging;

namespace AmiPki.Protocols.Scep;

/// <summary>
/// SCEP operations (RFC 8894 §3.3, §4): decodes a pkiMessage, authenticates it in SCEP's way (challenge password for
/// PKCSReq, the current certificate for RenewalReq), calls the core and answers a CertRep signed by the RA. Every
/// refusal is a CertRep FAILURE with failInfo; nothing is issued on any failure.
/// </summary>
public sealed class ScepService
{
    private readonly ScepOptions _options;
    private readonly ScepRaProvider _ra;
    private readonly IssuanceService _issuance;
    private readonly CaHierarchy _authorities;
    private readonly ICertificateReader _certificates;
    private readonly CurrentCertificateVerifier _current;
    private readonly IPendingRequestStore? _pending;
    private readonly CrlPublisher? _crls;
    private readonly ScepChallengeVerifier _challenges;
    private readonly ScepAudit _audit;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ApprovedRequestIssuer? _approved;

    internal ScepService(ScepOptions options, ScepRaProvider ra, IssuanceService issuance, CaHierarchy authorities, ICertificateReader certificates,
        ICredentialStore credentials, IPendingRequestStore? pending, CrlPublisher? crls, ScepAudit audit, TimeProvider time, ILogger<ScepService> logger)
    {
        _options = options;
        _ra = ra;
        _issuance = issuance;
        _authorities = authorities;
        _certificates = certificates;
        _current = new CurrentCertificateVerifier(authorities, certificates, time);
        _pending = pending;
        _approved = pending is null ? null : new ApprovedRequestIssuer(issuance, pending);
        _crls = crls;
        _challenges = new ScepChallengeVerifier(options, credentials, time);
        _audit = audit;
        _time = time;
        _logger = logger;
    }

    /// <summary>GetCACaps (RFC 8894 §3.5.2): one keyword a line. DES3 only when enabled; never single DES or SHA-1.</summary>
    public string CaCaps()
    {
        var caps = new StringBuilder();
        caps.Append("AES\n");
        if (_options.EnableDes3)
        {
            caps.Append("DES3\n");
        }
        caps.Append("POSTPKIOperation\nRenewal\nSHA-256\nSHA-512\nSCEPStandard\n");
        return caps.ToString();
    }

    /// <summary>GetCACert (RFC 8894 §4.2.1.2): CA and RA as a certs-only SignedData.</summary>
    public async Task<byte[]> CaCertAsync(CancellationToken cancellationToken) => (await _ra.GetAsync(cancellationToken)).CaRaCertificates;

    /// <summary>PKIOperation (RFC 8894 §4.3): always a CertRep, except for a message no reply can be addressed to.</summary>
    public async Task<byte[]> PkiOperationAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        ScepRequest request;
        try
        {
            request = ScepMessageDecoder.Decode(message);
        }
        catch (ScepFormatException e)
        {
            await _audit.RefusedAsync("PKIOperation", "-", "anonymous", ScepFailInfo.BadRequest, e.Message);
            throw;
        }
        // Encrypted to the RA certificate replaced at the last renewal (GetCACert fetched before it): still answered with it.
        var ra = (await _ra.GetAsync(cancellationToken)).For(request.Envelope, _time.GetUtcNow());
        var requester = request.SignerCertificate?.Subject ?? "anonymous";
        var operation = request.MessageType?.ToString() ?? $"messageType {request.MessageTypeValue}";
        ScepReply reply;
        try
        {
            reply = await HandleAsync(request, ra, cancellationToken);
        }
        catch (ScepFailure failure)
        {
            await _audit.RefusedAsync(operation, request.TransactionId, requester, failure.FailInfo, failure.Message);
            reply = ScepReply.Failure(failure.FailInfo, failure.Message);
        }
        catch (IssuanceRefusal refusal)
        {
            // Only IssueAsync / IssuePreparedAsync get here, and the core audited the refusal itself.
            reply = ScepReply.Failure(FailInfoOf(refusal.Kind), refusal.Reason);
        }
        catch (Exception e) when (StorageUnavailableException.Find(e) is not null)
        {
            // SCEP has no temporary failure code (RFC 8894): FAILURE, saying that repeating the request later may succeed.
            ScepLog.Unexpected(_logger, e, operation);
            // Not audited: the audit log is in the storage that cannot be reached.
            reply = ScepReply.Failure(ScepFailInfo.BadRequest, "storage is temporarily unavailable; repeat the request later");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ScepLog.Unexpected(_logger, e, operation);
            await _audit.RefusedAsync(operation, request.TransactionId, requester, ScepFailInfo.BadRequest, $"internal error: {e.GetType().Name}");
            reply = ScepReply.Failure(ScepFailInfo.BadRequest, "the server could not process the request");
        }
        return ScepCertRepWriter.Write(reply, request.TransactionId, request.SenderNonce, request.SignerCertificate, ra);
    }

    private async Task<ScepReply> HandleAsync(ScepRequest request, ScepRa ra, CancellationToken cancellationToken)
    {
        if (request.MessageType is not { } type || type == ScepMessageType.CertRep)
        {
            throw new ScepFailure(ScepFailInfo.BadRequest, $"messageType {request.MessageTypeValue} is not a request this server serves (RFC 8894 §3.2.1.2)");
        }
        if (!request.VerifySignature())
        {
            throw new ScepFailure(ScepFailInfo.BadMessageCheck, "the pkiMessage signature does not verify with its signer certificate");
        }
        using (var rsa = request.SignerCertificate!.GetRSAPublicKey())
        {
            if (rsa is null)
            {
                // Checked before anything is issued: the reply could not be encrypted to a non-RSA signer.
                throw new ScepFailure(ScepFailInfo.BadAlg, "SCEP replies use RSA key transport (RFC 8894 §2.1): the signer certificate must hold an RSA key");
            }
        }
        var content = ScepEnvelope.Open(request.Envelope, ra.Certificate, ra.Key, _options);
        return type switch
        {
            ScepMessageType.PKCSReq => await EnrollAsync(request, content, renewal: false, cancellationToken),
            ScepMessageType.RenewalReq => await EnrollAsync(request, content, renewal: true, cancellationToken),
            ScepMessageType.CertPoll => await PollAsync(request, content, cancellationToken),
            ScepMessageType.GetCert => await GetCertAsync(content, cancellationToken),
            ScepMessageType.GetCRL => await GetCrlAsync(content, cancellationToken),
            _ => throw new ScepFailure(ScepFailInfo.BadRequest, $"messageType {request.MessageTypeValue} is not supported"),
        };
    }

    /// <summary>PKCSReq (RFC 8894 §3.3.1) and RenewalReq (§3.3.1.2).</summary>
    private async Task<ScepReply> EnrollAsync(ScepRequest request, byte[] csrDer, bool renewal, CancellationToken cancellationToken)
    {
        var csr = ParseCsr(csrDer);
        var signer = request.SignerCertificate!;
        var pendingId = PendingId(request.TransactionId, signer);
        ScepIdentity identity;
        X509Certificate2? renewing = null;
        // RFC 8894 §3.3.1.2: a RenewalReq is signed with the current certificate. certmonger also re-enrolls the same key
        // with a PKCSReq signed by its current certificate: a certificate this CA issued authenticates either the same way.
        try
        {
            if (renewal || (!IsSelfIssued(signer) && FindCa(signer.IssuerName.RawData) is not null))
            {
                identity = await RenewingIdentityAsync(signer, cancellationToken);
                renewing = signer;
            }
            else
            {
                if (!signer.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(csr.SubjectPublicKeyInfo.Span))
                {
                    throw new ScepFailure(ScepFailInfo.BadMessageCheck, "a PKCSReq must be signed with the key being certified (RFC 8894 §2.3)");
                }
                identity = string.IsNullOrEmpty(csr.ChallengePassword) && _options.HoldRequestsWithoutChallenge
                    ? new ScepIdentity(Requester.Unverified($"unauthenticated:{signer.Subject}"), _options.DefaultProfile, HoldForApproval: true)
                    : await _challenges.VerifyAsync(csr.ChallengePassword, cancellationToken);
            }
        }
        catch (ScepFailure)
        {
            // The one-time challenge of a held request was spent when it was first submitted; the repeated request
            // (micromdm's scepclient resends its PKCSReq while PENDING, RFC 8894 §3.3.3) is the same transaction and key.
            if (await HeldAsync(pendingId, csr, request.TransactionId, cancellationToken) is { } repeated)
            {
                return repeated;
            }
            throw;
        }

        var enrollment = new EnrollmentRequest(csrDer, identity.Profile, identity.Requester, EnrollmentProtocol.Scep);
        // A refusal is audited by the core and answered FAILURE by HandleAsync.
        var prepared = await _issuance.PrepareAsync(enrollment, CancellationToken.None);

        if (prepared.Profile.ManualApproval || prepared.Grant.RequiresApproval || identity.HoldForApproval)
        {
            var store = _pending ?? throw new ScepFailure(ScepFailInfo.BadRequest,
                $"the request needs manual approval (profile {prepared.Profile.Name}), but no approval store is configured on this server");
            if (await HeldAsync(pendingId, csr, request.TransactionId, cancellationToken) is { } held)
            {
                return held;
            }
            await store.SubmitAsync(new PendingRequest(pendingId, EnrollmentProtocol.Scep, prepared.Profile.Name, identity.Requester.Identity, prepared.Subject,
                csrDer, identity.Requester.Holder?.Certificate.Der, $"transaction {request.TransactionId}", PendingRequestState.Pending, _time.GetUtcNow()), CancellationToken.None);
            await _audit.PendingAsync(identity.Requester.Identity, pendingId, prepared.Profile.Name, prepared.Subject);
            return ScepReply.Pending();
        }
        var issued = await _issuance.IssuePreparedAsync(prepared, cancellationToken);
        return ScepReply.Success(ScepDegenerate.Encode([issued.Der]));
    }

    /// <summary>
    /// The answer for a request already held under this transaction and signer key, or null when none is. certmonger
    /// re-creates its CSR when it resubmits: the same key and subject are the same request, and what gets issued is the
    /// CSR the admin saw. Only requests needing approval come here: automatic issuance never reads the approval store.
    /// </summary>
    private async Task<ScepReply?> HeldAsync(string pendingId, CertificationRequest csr, string transactionId, CancellationToken cancellationToken)
    {
        if (_pending is null || await _pending.FindAsync(pendingId, cancellationToken) is not { } held)
        {
            return null;
        }
        var original = ParseCsr(held.CsrDer);
        if (!original.SubjectPublicKeyInfo.Span.SequenceEqual(csr.SubjectPublicKeyInfo.Span) || !original.SubjectDer.Span.SequenceEqual(csr.SubjectDer.Span))
        {
            throw new ScepFailure(ScepFailInfo.BadRequest, $"transactionID {transactionId} is already used by another request");
        }
        return await HeldAsync(held, cancellationToken);
    }

    /// <summary>RenewalReq (RFC 8894 §3.3.1.2): signed with a current, unrevoked certificate AmiPki issued; same profile.</summary>
    private async Task<ScepIdentity> RenewingIdentityAsync(X509Certificate2 current, CancellationToken cancellationToken)
    {
        try
        {
            var verified = await _current.VerifyAsync(current.RawData, cancellationToken);
            return new ScepIdentity(Requester.ForCurrentCertificate(verified), verified.Record.Profile);
        }
        catch (CurrentCertificateRefusal refusal)
        {
            throw new ScepFailure(ScepFailInfo.BadRequest, $"the RenewalReq signer certificate is refused: {refusal.Reason}");
        }
    }

    /// <summary>CertPoll (RFC 8894 §3.3.3): same transactionID and signer as the held PKCSReq.</summary>
    private async Task<ScepReply> PollAsync(ScepRequest request, byte[] content, CancellationToken cancellationToken)
    {
        var poll = ScepIssuerAndSubject.Decode(content);
        var held = _pending is null ? null : await _pending.FindAsync(PendingId(request.TransactionId, request.SignerCertificate!), cancellationToken);
        if (held is null)
        {
            throw new ScepFailure(ScepFailInfo.BadCertId, $"no request is held for transaction {request.TransactionId}");
        }
        if (!ParseCsr(held.CsrDer).SubjectDer.Span.SequenceEqual(poll.SubjectDer))
        {
            throw new ScepFailure(ScepFailInfo.BadCertId, "the CertPoll subject is not the subject of the held request");
        }
        return await HeldAsync(held, cancellationToken);
    }

    /// <summary>A request held for approval: still pending, rejected, or approved (issued once, the same certificate every time).</summary>
    private async Task<ScepReply> HeldAsync(PendingRequest held, CancellationToken cancellationToken)
    {
        switch (held.State)
        {
            case PendingRequestState.Pending:
                return ScepReply.Pending();
            case PendingRequestState.Rejected:
                throw new ScepFailure(ScepFailInfo.BadRequest, $"request {held.Id} was rejected{(held.Reason is { } reason ? ": " + reason : "")}");
            case PendingRequestState.Issued when held.CertificateDer is { } der:
                return ScepReply.Success(ScepDegenerate.Encode([der]));
        }
        // A CertPoll carries no evidence: the approved request is issued, once, on behalf of its original, authorized requester.
        var enrollment = new EnrollmentRequest(held.CsrDer, held.Profile, Requester.ForApprovedRequest(held), EnrollmentProtocol.Scep);
        return ScepReply.Success(ScepDegenerate.Encode([(await _approved!.IssueOnceAsync(held.Id, enrollment, cancellationToken)).Der]));
    }

    /// <summary>GetCert (RFC 8894 §3.3.4): a certificate this CA issued, by issuer and serial number.</summary>
    private async Task<ScepReply> GetCertAsync(byte[] content, CancellationToken cancellationToken)
    {
        var query = ScepIssuerAndSerial.Decode(content);
        var issuer = FindCa(query.IssuerDer) ?? throw new ScepFailure(ScepFailInfo.BadCertId, "the issuer is not a CA of this server");
        var record = await _certificates.FindAsync(issuer.Name, query.SerialHex, cancellationToken);
        if (record is not { State: CertificateState.Issued, Der: { } der })
        {
            throw new ScepFailure(ScepFailInfo.BadCertId, $"CA {issuer.Name} issued no certificate with serial {query.SerialHex}");
        }
        return ScepReply.Success(ScepDegenerate.Encode([der]));
    }

    /// <summary>GetCRL (RFC 8894 §3.3.5): the current full CRL of the issuer named in the IssuerAndSerialNumber.</summary>
    private async Task<ScepReply> GetCrlAsync(byte[] content, CancellationToken cancellationToken)
    {
        var query = ScepIssuerAndSerial.Decode(content);
        var issuer = FindCa(query.IssuerDer) ?? throw new ScepFailure(ScepFailInfo.BadCertId, "the issuer is not a CA of this server");
        var crl = _crls is null ? null : await _crls.GetAsync(issuer.Name, delta: false, cancellationToken);
        if (crl is null)
        {
            throw new ScepFailure(ScepFailInfo.BadRequest, $"no CRL of CA {issuer.Name} is available from this server");
        }
        return ScepReply.Success(ScepDegenerate.Encode([], [crl.Der]));
    }

    /// <summary>The PKCS#10 inside a PKCSReq or RenewalReq (RFC 8894 §3.3.1); a malformed one is badRequest, audited here.</summary>
    private static CertificationRequest ParseCsr(byte[] der)
    {
        try
        {
            return CertificationRequest.Parse(der);
        }
        catch (IssuanceRefusal refusal)
        {
            throw new ScepFailure(ScepFailInfo.BadRequest, refusal.Reason);
        }
    }

    private static bool IsSelfIssued(X509Certificate2 certificate) =>
        certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData);

    private CertificateAuthority? FindCa(ReadOnlySpan<byte> issuerDer)
    {
        foreach (var authority in _authorities.All)
        {
            if (authority.Certificate.SubjectName.RawData.AsSpan().SequenceEqual(issuerDer))
            {
                return authority;
            }
        }
        return null;
    }

    /// <summary>
    /// The approval id of a SCEP request: its transactionID and its signer's key (RFC 8894 §3.3.3: a CertPoll carries the
    /// same transactionID and is signed like the original). Binding the key means nobody else can collect it by replaying
    /// the transactionID.
    /// </summary>
    internal static string PendingId(string transactionId, X509Certificate2 signer) =>
        PendingRequestId.Compute(EnrollmentProtocol.Scep, "transaction", transactionId,
            SHA256.HashData(signer.PublicKey.ExportSubjectPublicKeyInfo()));

    internal static ScepFailInfo FailInfoOf(RefusalKind kind) => kind switch
    {
        RefusalKind.BadProofOfPossession => ScepFailInfo.BadMessageCheck,
        RefusalKind.KeyNotAllowed => ScepFailInfo.BadAlg,
        _ => ScepFailInfo.BadRequest,
    };
}
