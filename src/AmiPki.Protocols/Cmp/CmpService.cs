using System.Formats.Asn1;
using System.Security.Cryptography;
using AmiPki.Core.Approvals;
using AmiPki.Core.Asn1;
using AmiPki.Core.Authorities;
using AmiPki.Core.Authorization;
using AmiPki.Core.Issuance;
using AmiPki.Core.Keys;
using AmiPki.Core.Profiles;
using AmiPki.Core.Revocation;
using AmiPki.Core.Storage;
using Microsoft.Extensions.Logging;

namespace AmiPki.Protocols.Cmp;

/// <summary>
/// The CMP responder (RFC 4210, RFC 9480, Lightweight CMP RFC 9483): decodes, authenticates, calls the core and
/// answers with a protected message. Every refusal is an <c>error</c> message with the PKIFailureInfo bit, audited,
/// and nothing is issued; no exception reaches the client.
/// </summary>
public sealed class CmpService
{
    private readonly CmpOptions _options;
    private readonly IssuanceService _issuance;
    private readonly CaHierarchy _authorities;
    private readonly ICertificateReader _certificates;
    private readonly CmpRevoker _revoker;
    private readonly CmpAuthenticator _authenticator;
    private readonly CmpResponderProvider _responders;
    private readonly CmpTransactionStore _transactions;
    private readonly IPendingRequestStore? _pending;
    private readonly ApprovedRequestIssuer? _approved;
    private readonly CmpAudit _audit;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public CmpService(CmpOptions options, IssuanceService issuance, CaHierarchy authorities, ICertificateReader certificates, CmpRevoker revoker,
        CmpAuthenticator authenticator, CmpResponderProvider responders, CmpTransactionStore transactions,
        CmpAudit audit, TimeProvider time, ILogger logger, IPendingRequestStore? pending = null)
    {
        _pending = pending;
        _approved = pending is null ? null : new ApprovedRequestIssuer(issuance, pending);
        _options = options;
        _issuance = issuance;
        _authorities = authorities;
        _certificates = certificates;
        _revoker = revoker;
        _authenticator = authenticator;
        _responders = responders;
        _transactions = transactions;
        _audit = audit;
        _time = time;
        _logger = logger;
    }

    /// <summary>The profile a label names: an entry of <see cref="CmpOptions.Labels"/> or a profile allowing cmp; null if neither.</summary>
    public string? ProfileForLabel(string label) =>
        _options.Labels.TryGetValue(label, out var mapped) ? mapped
        : _issuance.Profiles.Find(label) is { } profile && profile.AllowsProtocol(EnrollmentProtocol.Cmp) ? profile.Name
        : null;

    /// <summary>Answers one DER PKIMessage with one DER PKIMessage.</summary>
    public async Task<byte[]> HandleAsync(ReadOnlyMemory<byte> body, string? labelProfile, CancellationToken cancellationToken)
    {
        PkiMessage? request = null;
        CmpSender? sender = null;
        CmpResponder? responder = null;
        try
        {
            responder = await _responders.GetAsync(cancellationToken);
            request = PkiMessage.Decode(body);
            if (request.Header.TransactionId is null)
            {
                throw new CmpRejection(PkiFailureInfo.BadRequest, "transactionID is required (RFC 9483 §3.1)");
            }
            if (request.Header.SenderNonce is not { Length: >= 8 })
            {
                throw new CmpRejection(PkiFailureInfo.BadSenderNonce, "a senderNonce of at least 8 bytes is required (RFC 4210 §5.1.1)");
            }
            sender = await _authenticator.AuthenticateAsync(request, cancellationToken);
            CheckMessageTime(request);
            if (sender.Credential?.ExpiresAt is { } expires && expires <= _time.GetUtcNow())
            {
                throw new CmpRejection(PkiFailureInfo.NotAuthorized, "the reference number has expired");
            }
            return request.BodyType switch
            {
                PkiBodyType.Ir or PkiBodyType.Cr or PkiBodyType.Kur or PkiBodyType.P10cr =>
                    await EnrollAsync(request, sender, responder, labelProfile, cancellationToken),
                PkiBodyType.CertConf => await ConfirmAsync(request, sender, responder),
                PkiBodyType.Rr => await RevokeAsync(request, sender, responder, cancellationToken),
                PkiBodyType.Genm => await GeneralAsync(request, sender, responder, labelProfile),
                PkiBodyType.PollReq => await PollAsync(request, sender, responder, cancellationToken),
                PkiBodyType.Error => await ClientErrorAsync(request, sender, responder),
                _ => throw new CmpRejection(PkiFailureInfo.BadRequest, $"{request.BodyType} is not a request body"),
            };
        }
        catch (CmpRejection rejection)
        {
            await _audit.RefusedAsync(request?.BodyType.ToString() ?? "undecoded", sender?.Identity ?? SenderHint(request), rejection.Failure, rejection.Message);
            return Error(request, sender, responder, rejection.Failure, rejection.Message);
        }
        catch (CmpFormatException e)
        {
            await _audit.RefusedAsync(request?.BodyType.ToString() ?? "undecoded", sender?.Identity ?? SenderHint(request), PkiFailureInfo.BadDataFormat, e.Message);
            return Error(request, sender, responder, PkiFailureInfo.BadDataFormat, e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (StorageUnavailableException.Find(e) is { } outage)
        {
            // Temporary (RFC 4210 systemUnavail): the requester repeats the request later. Storage may have failed before the
            // request was read (the responder's identity is in storage): the answer still carries its transactionID and nonce.
            CmpLog.Failed(_logger, e);
            if (request is null)
            {
                try
                {
                    request = PkiMessage.Decode(body);
                }
                catch (CmpFormatException)
                {
                    // Answered without the request's header fields.
                }
            }
            return Error(request, sender, responder, PkiFailureInfo.SystemUnavail,
                $"storage is temporarily unavailable; retry after {outage.RetryAfterSeconds} s");
        }
        catch (Exception e)
        {
            CmpLog.Failed(_logger, e);
            return Error(request, sender, responder, PkiFailureInfo.SystemFailure, "internal error");
        }
    }

    private async Task<byte[]> EnrollAsync(PkiMessage request, CmpSender sender, CmpResponder responder, string? labelProfile, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var transaction = await _transactions.BeginAsync(sender.Identity, request.Header.TransactionId, now);
        try
        {
            var (enrollment, certReqId) = BuildEnrollment(request, sender, labelProfile);
            var profile = _issuance.Profiles.Find(enrollment.ProfileName);
            PreparedCertificate prepared;
            try
            {
                prepared = await _issuance.PrepareAsync(enrollment, CancellationToken.None);
            }
            catch (IssuanceRefusal refusal)
            {
                throw Map(refusal);
            }
            lock (transaction.Lock)
            {
                transaction.CertReqId = certReqId;
                transaction.RequestType = request.BodyType;
                transaction.ImplicitConfirmRequested = request.Header.ImplicitConfirm;
            }
            if (profile?.ManualApproval == true)
            {
                return await SubmitForApprovalAsync(request, sender, responder, transaction, enrollment, prepared);
            }
            return await IssueAsync(request, sender, responder, transaction, prepared, now, cancellationToken);
        }
        finally
        {
            lock (transaction.Lock)
            {
                if (transaction.State == CmpTransactionState.Open)
                {
                    // Refused: the transactionID stays burnt for the replay window.
                    transaction.State = CmpTransactionState.Done;
                    transaction.FinishedAt = now;
                }
            }
            // Durable before the answer leaves: a certConf or pollReq to any node, or after a restart, finds this state.
            await _transactions.SaveAsync(transaction, now);
        }
    }

    /// <summary>Signs and records a prepared certificate and answers ip/cp/kup; the transaction then awaits certConf (or is done).</summary>
    private async Task<byte[]> IssueAsync(PkiMessage request, CmpSender sender, CmpResponder responder, CmpTransaction transaction,
        PreparedCertificate prepared, DateTimeOffset now, CancellationToken cancellationToken)
    {
        IssuedCertificate issued;
        try
        {
            issued = await _issuance.IssuePreparedAsync(prepared, cancellationToken);
        }
        catch (IssuanceRefusal refusal)
        {
            throw Map(refusal);
        }
        return await AnswerWithCertificateAsync(request, sender, responder, transaction, issued.Issuer.Name, issued.SerialHex, issued.Der, issued.Profile,
            issued.PendingSupersession, now);
    }

    /// <param name="supersedes">The renewed certificate, when the profile's renewal policy revokes it and that waits for certConf (RFC 4210 §5.3.18).</param>
    private Task<byte[]> AnswerWithCertificateAsync(PkiMessage request, CmpSender sender, CmpResponder responder, CmpTransaction transaction,
        string issuer, string serialHex, byte[] certificateDer, string profile, (string Issuer, string SerialHex)? supersedes, DateTimeOffset now)
    {
        var implicitConfirm = transaction.ImplicitConfirmRequested && _options.AllowImplicitConfirm;
        var header = CmpResponseHeader.For(request) with { ImplicitConfirm = implicitConfirm };
        lock (transaction.Lock)
        {
            transaction.Issuer = issuer;
            transaction.SerialHex = serialHex;
            // Kept only while a certConf may still check its hash: a done transaction stays for the replay window only.
            transaction.CertificateDer = implicitConfirm ? null : certificateDer;
            transaction.Profile = profile;
            transaction.Supersedes = supersedes;
            transaction.LastSenderNonce = header.SenderNonce;
            transaction.ConfirmBy = now.AddSeconds(_options.ConfirmWaitSeconds);
            transaction.State = implicitConfirm ? CmpTransactionState.Done : CmpTransactionState.AwaitingConfirmation;
            transaction.FinishedAt = implicitConfirm ? now : null;
        }
        var chain = _authorities.ChainOf(issuer).Select(a => a.Der).ToList();
        // RFC 9483 §4.1.1: with MAC protection, caPubs carries the root the new certificate chains to.
        var caPubs = sender.Mac is not null && transaction.RequestType == PkiBodyType.Ir && chain.Count > 0 ? new List<byte[]> { chain[^1] } : [];
        return Task.FromResult(Write(header, ResponseTypeOf(transaction.RequestType), CmpBodies.CertRep(caPubs, transaction.CertReqId, certificateDer, null, null),
            sender, responder, chain));
    }

    private static PkiBodyType ResponseTypeOf(PkiBodyType requestType) =>
        requestType switch { PkiBodyType.Ir => PkiBodyType.Ip, PkiBodyType.Kur => PkiBodyType.Kup, _ => PkiBodyType.Cp };

    /// <summary>
    /// Manual approval (RFC 4210 §5.3.22, RFC 9483 §4.4): the checked request is recorded for an admin and answered with
    /// status waiting; the requester polls with pollReq until it is approved (then ip/cp/kup) or rejected.
    /// </summary>
    private async Task<byte[]> SubmitForApprovalAsync(PkiMessage request, CmpSender sender, CmpResponder responder, CmpTransaction transaction,
        EnrollmentRequest enrollment, PreparedCertificate prepared)
    {
        var store = _pending ?? throw new CmpRejection(PkiFailureInfo.SystemUnavail,
            $"profile {enrollment.ProfileName} needs manual approval, but no approval store is configured on this server");
        var id = PendingRequestId.Compute(EnrollmentProtocol.Cmp, enrollment.ProfileName, sender.Identity, enrollment.CsrDer.Span);
        await store.SubmitAsync(new PendingRequest(id, EnrollmentProtocol.Cmp, enrollment.ProfileName, sender.Identity, prepared.Subject,
            enrollment.CsrDer.ToArray(), enrollment.Renewing?.Der, null, PendingRequestState.Pending, _time.GetUtcNow()), CancellationToken.None);
        await _audit.AppendAsync(sender.Identity, "pending", $"request={id} profile={enrollment.ProfileName} subject={prepared.Subject}");
        var header = CmpResponseHeader.For(request);
        lock (transaction.Lock)
        {
            transaction.PendingId = id;
            transaction.Enrollment = enrollment;
            transaction.LastSenderNonce = header.SenderNonce;
            transaction.State = CmpTransactionState.Waiting;
        }
        return Write(header, ResponseTypeOf(transaction.RequestType),
            CmpBodies.CertRep([], transaction.CertReqId, null, null, $"waiting for approval of request {id}", status: 3), sender, responder, []);
    }

    private async Task<byte[]> PollAsync(PkiMessage request, CmpSender sender, CmpResponder responder, CancellationToken cancellationToken)
    {
        var transaction = await _transactions.FindAsync(sender.Identity, request.Header.TransactionId);
        if (transaction is null || transaction.State != CmpTransactionState.Waiting || transaction.PendingId is not { } id || _pending is null)
        {
            throw new CmpRejection(PkiFailureInfo.BadRequest, "no request of this transaction is waiting (RFC 4210 §5.3.22)");
        }
        CheckRecipNonce(request, transaction);
        var pending = await _pending.FindAsync(id, cancellationToken)
            ?? throw new CmpRejection(PkiFailureInfo.SystemFailure, $"pending request {id} has disappeared");
        var now = _time.GetUtcNow();
        switch (pending.State)
        {
            case PendingRequestState.Pending:
                var header = CmpResponseHeader.For(request);
                lock (transaction.Lock)
                {
                    transaction.LastSenderNonce = header.SenderNonce;
                }
                await _transactions.SaveAsync(transaction, now);
                return Write(header, PkiBodyType.PollRep, CmpBodies.PollRep(transaction.CertReqId, _options.PollCheckAfterSeconds, $"request {id} awaits approval"),
                    sender, responder, []);
            case PendingRequestState.Rejected:
                lock (transaction.Lock)
                {
                    transaction.State = CmpTransactionState.Done;
                    transaction.FinishedAt = now;
                }
                await _transactions.SaveAsync(transaction, now);
                throw new CmpRejection(PkiFailureInfo.NotAuthorized,
                    $"request {id} was rejected by {pending.DecidedBy}{(pending.Reason is { Length: > 0 } reason ? ": " + reason : "")}");
            case PendingRequestState.Issued:
                var answer = await AnswerWithCertificateAsync(request, sender, responder, transaction, pending.Issuer!, pending.SerialHex!, pending.CertificateDer!,
                    pending.Profile, null, now);
                await _transactions.SaveAsync(transaction, now);
                return answer;
        }
        // Approved: issue once; the poll that gets here first answers with the certificate.
        lock (transaction.Lock)
        {
            if (transaction.State != CmpTransactionState.Waiting)
            {
                throw new CmpRejection(PkiFailureInfo.BadRequest, "this transaction is being answered already");
            }
            transaction.State = CmpTransactionState.Open;
        }
        // The compare-and-set lets one poll (on any node) answer; a concurrent one is told the step is taken.
        await _transactions.SaveAsync(transaction, now);
        try
        {
            ApprovedIssuance issued;
            try
            {
                issued = await _approved!.IssueOnceAsync(id, transaction.Enrollment ?? RebuildApproved(pending, transaction), cancellationToken);
            }
            catch (IssuanceRefusal refusal)
            {
                throw Map(refusal);
            }
            return await AnswerWithCertificateAsync(request, sender, responder, transaction, issued.Issuer, issued.SerialHex, issued.Der, pending.Profile,
                issued.PendingSupersession, now);
        }
        finally
        {
            lock (transaction.Lock)
            {
                if (transaction.State == CmpTransactionState.Open)
                {
                    transaction.State = CmpTransactionState.Done;
                    transaction.FinishedAt = now;
                }
            }
            await _transactions.SaveAsync(transaction, now);
        }
    }

    /// <summary>
    /// The approved request of a transaction another node (or this one before a restart) received: rebuilt from what the
    /// approval store recorded and issued on behalf of its original requester, whose evidence was authorized at submission.
    /// </summary>
    private EnrollmentRequest RebuildApproved(PendingRequest pending, CmpTransaction transaction)
    {
        CertificationRequest parsed;
        if (transaction.RequestType == PkiBodyType.P10cr)
        {
            parsed = CertificationRequest.Parse(pending.CsrDer);
        }
        else
        {
            var template = CertRequestMessage.ReadRecorded(pending.CsrDer).Template;
            parsed = CertificationRequest.FromTemplate(template.SubjectDer!, template.PublicKeyDer!, template.ExtensionsDer ?? ReadOnlyMemory<byte>.Empty);
        }
        return new EnrollmentRequest(pending.CsrDer, pending.Profile, Requester.ForApprovedRequest(pending), EnrollmentProtocol.Cmp)
        {
            Parsed = parsed,
            ProofOfPossessionVerified = true,
            DeferSupersession = !(transaction.ImplicitConfirmRequested && _options.AllowImplicitConfirm),
        };
    }

    /// <summary>RFC 4210 §5.1.1: a messageTime off our clock by more than the tolerance is badTime (a stale or replayed request).</summary>
    private void CheckMessageTime(PkiMessage request)
    {
        if (request.Header.MessageTime is { } sent && (sent - _time.GetUtcNow()).Duration() > TimeSpan.FromSeconds(_options.MessageTimeToleranceSeconds))
        {
            throw new CmpRejection(PkiFailureInfo.BadTime,
                $"messageTime {sent:u} is more than {_options.MessageTimeToleranceSeconds} s from the server's clock {_time.GetUtcNow():u}");
        }
    }

    private static void CheckRecipNonce(PkiMessage request, CmpTransaction transaction)
    {
        lock (transaction.Lock)
        {
            if (request.Header.RecipNonce is not { } recipNonce || transaction.LastSenderNonce is not { } ours
                || !CryptographicOperations.FixedTimeEquals(recipNonce, ours))
            {
                throw new CmpRejection(PkiFailureInfo.BadRecipientNonce, "recipNonce does not echo our senderNonce (RFC 4210 §5.1.1)");
            }
        }
    }

    private (EnrollmentRequest Request, int CertReqId) BuildEnrollment(PkiMessage request, CmpSender sender, string? labelProfile)
    {
        // The adapter only names the requester and its evidence; which profile it may obtain (the label's, the
        // certificate's, a successor) and bound to what is the core's decision from the profile's rules.
        string profileName;
        Requester requester;
        if (sender.Record is { } record)
        {
            // RFC 9483 §4.1.3: kur is signed with the certificate to be updated; cr/p10cr signed with a current
            // certificate ask for another certificate of the same identity. Either way the profile is the label's or
            // the certificate's own, and the core allows only that profile (or its declared successor).
            requester = Requester.ForCurrentCertificate(new CurrentCertificate(record, sender.Certificate!));
            profileName = labelProfile ?? record.Profile;
        }
        else if (request.BodyType == PkiBodyType.Kur)
        {
            throw new CmpRejection(PkiFailureInfo.NotAuthorized, "kur must be signed with the certificate being updated (RFC 9483 §4.1.3)");
        }
        else
        {
            var credential = sender.Credential!;
            requester = Requester.ForCredential(credential, sender.Identity);
            profileName = labelProfile ?? (credential.Profiles.Count > 0 ? credential.Profiles[0] : _options.DefaultProfile);
        }

        CertificationRequest parsed;
        ReadOnlyMemory<byte> recorded;
        int certReqId;
        string? issuerName = null;
        try
        {
            if (request.BodyType == PkiBodyType.P10cr)
            {
                // RFC 4210 §5.3.4 / RFC 9483 §4.1.4: the PKCS#10 signature is the POP; certReqId is -1.
                parsed = CertificationRequest.Parse(request.BodyContent);
                if (!parsed.VerifySignature())
                {
                    throw new CmpRejection(PkiFailureInfo.BadPop, "the PKCS#10 signature does not verify (no proof of possession)");
                }
                recorded = request.BodyContent;
                certReqId = -1;
            }
            else
            {
                var message = CertRequestMessage.ReadAll(request.BodyContent)[0];
                var template = message.Template;
                if (template.PublicKeyDer is null)
                {
                    throw new CmpRejection(PkiFailureInfo.BadCertTemplate, "central key generation is not offered: the template needs a publicKey");
                }
                if (template.SubjectDer is null)
                {
                    throw new CmpRejection(PkiFailureInfo.BadCertTemplate, "the template needs a subject (RFC 9483 §4.1.1)");
                }
                if (request.BodyType == PkiBodyType.Kur && message.OldCertId is { } oldCertId
                    && (!oldCertId.IssuerDer.AsSpan().SequenceEqual(sender.Certificate!.IssuerDer)
                        || SerialReference.NormalizeSerial(oldCertId.SerialHex) != sender.Record!.SerialHex))
                {
                    throw new CmpRejection(PkiFailureInfo.BadCertId, "oldCertID does not name the certificate that signed the request (RFC 4211 §6.5)");
                }
                if (template.IssuerDer is { } namedIssuer)
                {
                    // RFC 4211 §5: the issuer the requester asks for is honoured (the core checks the profile lists it) or refused.
                    issuerName = _authorities.All.FirstOrDefault(a => a.SubjectName.AsSpan().SequenceEqual(namedIssuer))?.Name
                        ?? throw new CmpRejection(PkiFailureInfo.BadCertTemplate, "the template's issuer is not a CA of this server");
                }
                parsed = CertificationRequest.FromTemplate(template.SubjectDer, template.PublicKeyDer, template.ExtensionsDer ?? ReadOnlyMemory<byte>.Empty);
                // RFC 4211 §4.1: POPOSigningKey over the DER CertRequest, verified with the template's (already vetted) key.
                if (message.ProofKind != 1 || message.HasPoposkInput || message.PopAlgorithmOid is null || message.PopSignature is null)
                {
                    throw new CmpRejection(PkiFailureInfo.BadPop, "a signature proof of possession over the CertRequest is required (RFC 4211 §4.1)");
                }
                if (!parsed.VerifyWithPublicKey(message.CertRequestDer.Span, message.PopAlgorithmOid, message.PopSignature))
                {
                    throw new CmpRejection(PkiFailureInfo.BadPop, "the proof of possession does not verify with the requested public key");
                }
                recorded = message.CertRequestDer;
                certReqId = message.CertReqId;
            }
        }
        catch (IssuanceRefusal refusal)
        {
            throw Map(refusal);
        }

        var enrollment = new EnrollmentRequest(recorded, profileName, requester, EnrollmentProtocol.Cmp)
        {
            Parsed = parsed,
            ProofOfPossessionVerified = true,
            // The superseded certificate stays valid until the new one is confirmed, unless confirmation is implicit.
            DeferSupersession = !(request.Header.ImplicitConfirm && _options.AllowImplicitConfirm),
            IssuerName = issuerName,
        };
        return (enrollment, certReqId);
    }

    private async Task<byte[]> ConfirmAsync(PkiMessage request, CmpSender sender, CmpResponder responder)
    {
        var transaction = await _transactions.FindAsync(sender.Identity, request.Header.TransactionId)
            ?? throw new CmpRejection(PkiFailureInfo.BadRequest, "certConf for an unknown transaction");
        var confirmations = CertConfirmation.ReadAll(request.BodyContent);
        var now = _time.GetUtcNow();
        bool rejected;
        lock (transaction.Lock)
        {
            if (transaction.State != CmpTransactionState.AwaitingConfirmation)
            {
                throw new CmpRejection(PkiFailureInfo.CertConfirmed, "nothing in this transaction awaits confirmation");
            }
            CheckRecipNonce(request, transaction);
            // An empty CertConfirmContent rejects every certificate (RFC 4210 §5.3.18).
            var confirmation = confirmations.Count == 1 ? confirmations[0] : confirmations.FirstOrDefault(c => c.CertReqId == transaction.CertReqId);
            if (confirmations.Count > 0 && confirmation is null)
            {
                throw new CmpRejection(PkiFailureInfo.BadCertId, "certConf names no certificate of this transaction");
            }
            rejected = confirmation is null || confirmation.Rejected;
            if (!rejected && !HashMatches(transaction.CertificateDer!, confirmation!))
            {
                throw new CmpRejection(PkiFailureInfo.BadCertId, "certHash does not match the certificate issued (RFC 4210 §5.3.18)");
            }
            transaction.State = CmpTransactionState.Done;
            transaction.FinishedAt = now;
        }
        // Once, cluster-wide: a sweep that expired it meanwhile (or a second certConf) makes this save fail.
        await _transactions.SaveAsync(transaction, now);
        if (rejected)
        {
            await _revoker.RevokeAsync(transaction.Issuer!, transaction.SerialHex!, RevocationReason.CessationOfOperation, sender.Identity);
            await _audit.AppendAsync(sender.Identity, "rejected", $"certConf rejected certificate {transaction.Issuer}/{transaction.SerialHex}: revoked");
        }
        else if (transaction.Supersedes is { } superseded)
        {
            await _revoker.RevokeAsync(superseded.Issuer, superseded.SerialHex, RevocationReason.Superseded, sender.Identity);
        }
        return Write(CmpResponseHeader.For(request), PkiBodyType.PkiConf, CmpBodies.PkiConf(), sender, responder, []);
    }

    private static bool HashMatches(byte[] certificateDer, CertConfirmation confirmation)
    {
        HashAlgorithmName? hash = confirmation.HashAlgorithmOid is { } oid
            ? oid switch
            {
                CmpOids.Sha256 => HashAlgorithmName.SHA256,
                CmpOids.Sha384 => HashAlgorithmName.SHA384,
                CmpOids.Sha512 => HashAlgorithmName.SHA512,
                _ => null,
            }
            : CmpSignatures.CertificateHash(SignatureAlgorithmOf(certificateDer));
        if (hash is not { } name)
        {
            return false;
        }
        var actual = name.Name switch
        {
            "SHA384" => SHA384.HashData(certificateDer),
            "SHA512" => SHA512.HashData(certificateDer),
            _ => SHA256.HashData(certificateDer),
        };
        return CryptographicOperations.FixedTimeEquals(actual, confirmation.CertHash);
    }

    private static string SignatureAlgorithmOf(byte[] certificateDer)
    {
        var certificate = new AsnReader(certificateDer, AsnEncodingRules.DER).ReadSequence();
        certificate.ReadEncodedValue();
        return certificate.ReadSequence().ReadObjectIdentifier();
    }

    private async Task<byte[]> RevokeAsync(PkiMessage request, CmpSender sender, CmpResponder responder, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var transaction = await _transactions.BeginAsync(sender.Identity, request.Header.TransactionId, now);
        try
        {
            if (sender.Record is not { } signer)
            {
                throw new CmpRejection(PkiFailureInfo.NotAuthorized, "rr must be signed with a certificate of the same subject (RFC 9483 §4.2)");
            }
            var details = RevocationDetails.Read(request.BodyContent);
            if (details.IssuerDer is null || details.SerialHex is null)
            {
                throw new CmpRejection(PkiFailureInfo.BadCertId, "certDetails must name the issuer and serialNumber (RFC 9483 §4.2)");
            }
            var issuer = _authorities.All.FirstOrDefault(a => a.Certificate.SubjectName.RawData.AsSpan().SequenceEqual(details.IssuerDer))
                ?? throw new CmpRejection(PkiFailureInfo.BadCertId, "the issuer is not a CA of this server");
            var serial = SerialReference.NormalizeSerial(details.SerialHex);
            var target = await _certificates.FindAsync(issuer.Name, serial, cancellationToken);
            if (target is null || target.State != CertificateState.Issued)
            {
                throw new CmpRejection(PkiFailureInfo.BadCertId, "no such certificate");
            }
            if (!string.Equals(target.Subject, signer.Subject, StringComparison.Ordinal))
            {
                throw new CmpRejection(PkiFailureInfo.NotAuthorized, "a certificate may only be revoked with a certificate of the same subject");
            }
            if (target.Revocation is not null)
            {
                throw new CmpRejection(PkiFailureInfo.CertRevoked, "the certificate is already revoked");
            }
            if (details.Reason is RevocationReason.RemoveFromCrl)
            {
                throw new CmpRejection(PkiFailureInfo.BadRequest, "removeFromCRL is not a revocation reason");
            }
            await _revoker.RevokeAsync(issuer.Name, serial, details.Reason, sender.Identity);
            return Write(CmpResponseHeader.For(request), PkiBodyType.Rp, CmpBodies.RevRep(null, null), sender, responder, []);
        }
        finally
        {
            lock (transaction.Lock)
            {
                transaction.State = CmpTransactionState.Done;
                transaction.FinishedAt = now;
            }
            await _transactions.SaveAsync(transaction, now);
        }
    }

    private async Task<byte[]> GeneralAsync(PkiMessage request, CmpSender sender, CmpResponder responder, string? labelProfile)
    {
        var now = _time.GetUtcNow();
        var transaction = await _transactions.BeginAsync(sender.Identity, request.Header.TransactionId, now);
        lock (transaction.Lock)
        {
            transaction.State = CmpTransactionState.Done;
            transaction.FinishedAt = now;
        }
        await _transactions.SaveAsync(transaction, now);
        var profileName = labelProfile ?? sender.Record?.Profile ?? sender.Credential?.Profiles.FirstOrDefault() ?? _options.DefaultProfile;
        var profile = _issuance.Profiles.Find(profileName);
        var requested = InfoTypeRequest.ReadAll(request.BodyContent);
        if (requested.Count == 0)
        {
            requested = [CmpOids.CaCerts, CmpOids.SignKeyPairTypes];
        }
        var answers = new List<(string, byte[]?)>();
        foreach (var type in requested.Distinct(StringComparer.Ordinal))
        {
            switch (type)
            {
                case CmpOids.CaCerts:
                    // RFC 9480 §4.3.1: the CA certificates a requester may need, each once.
                    var issuers = profile?.Issuers ?? [.. _authorities.Names];
                    var certificates = issuers.SelectMany(_authorities.ChainOf).DistinctBy(a => a.Name).Select(a => a.Der);
                    answers.Add((type, CmpBodies.Certificates(certificates)));
                    break;
                case CmpOids.SignKeyPairTypes:
                    answers.Add((type, KeyPairTypes(profile?.KeyAlgorithms ?? [KeyAlgorithm.EcP256])));
                    break;
                case CmpOids.RootCaCert:
                    // RFC 9480 §4.3.2: no root CA key update is pending, so rootCaKeyUpdate carries no value.
                    answers.Add((CmpOids.RootCaKeyUpdate, null));
                    break;
                default:
                    // RFC 4210 §5.3.19: types the responder does not know are left out of the genp.
                    break;
            }
        }
        return Write(CmpResponseHeader.For(request), PkiBodyType.Genp, CmpBodies.GenRep(answers), sender, responder, []);
    }

    /// <summary>SEQUENCE OF AlgorithmIdentifier (RFC 4210 §5.3.19.3): id-ecPublicKey with the named curve, rsaEncryption with NULL.</summary>
    private static byte[] KeyPairTypes(IReadOnlyList<KeyAlgorithm> algorithms)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            var rsaWritten = false;
            foreach (var algorithm in algorithms)
            {
                if (!algorithm.IsEc())
                {
                    if (rsaWritten)
                    {
                        continue;
                    }
                    rsaWritten = true;
                }
                using (writer.PushSequence())
                {
                    switch (algorithm)
                    {
                        case KeyAlgorithm.EcP256:
                        case KeyAlgorithm.EcP384:
                        case KeyAlgorithm.EcP521:
                            writer.WriteObjectIdentifier(Oids.EcPublicKey);
                            writer.WriteObjectIdentifier(algorithm switch
                            {
                                KeyAlgorithm.EcP256 => Oids.Secp256r1,
                                KeyAlgorithm.EcP384 => Oids.Secp384r1,
                                _ => Oids.Secp521r1,
                            });
                            break;
                        default:
                            writer.WriteObjectIdentifier(Oids.RsaEncryption);
                            writer.WriteNull();
                            break;
                    }
                }
            }
        }
        return writer.Encode();
    }

    private async Task<byte[]> ClientErrorAsync(PkiMessage request, CmpSender sender, CmpResponder responder)
    {
        // RFC 4210 §5.3.21: the requester gave up; an issued but unconfirmed certificate is revoked, and pkiconf answers.
        if (await _transactions.FindAsync(sender.Identity, request.Header.TransactionId) is { } transaction)
        {
            var revoke = false;
            var now = _time.GetUtcNow();
            lock (transaction.Lock)
            {
                if (transaction.State == CmpTransactionState.AwaitingConfirmation)
                {
                    transaction.State = CmpTransactionState.Done;
                    transaction.FinishedAt = now;
                    revoke = true;
                }
            }
            if (revoke)
            {
                await _transactions.SaveAsync(transaction, now);
                await _revoker.RevokeAsync(transaction.Issuer!, transaction.SerialHex!, RevocationReason.CessationOfOperation, sender.Identity);
            }
        }
        await _audit.AppendAsync(sender.Identity, "failed", "the requester sent an error message");
        return Write(CmpResponseHeader.For(request), PkiBodyType.PkiConf, CmpBodies.PkiConf(), sender, responder, []);
    }

    private byte[] Write(CmpResponseHeader header, PkiBodyType type, byte[] body, CmpSender? sender, CmpResponder? responder, IReadOnlyList<byte[]> chain)
    {
        var protection = sender?.Protection(responder) ?? (responder is not null ? CmpResponseProtection.WithSignature(responder) : CmpResponseProtection.None);
        var extraCerts = new List<byte[]>();
        if (protection.Mac is null && responder is not null)
        {
            // RFC 9483 §3.3: the signer's certificate first, then its chain.
            extraCerts.AddRange(responder.Chain);
        }
        foreach (var certificate in chain)
        {
            if (!Contains(extraCerts, certificate))
            {
                extraCerts.Add(certificate);
            }
        }
        return CmpMessageWriter.Write(header, type, body, protection, extraCerts, _time.GetUtcNow());
    }

    private static bool Contains(List<byte[]> certificates, byte[] certificate)
    {
        foreach (var candidate in certificates)
        {
            if (ReferenceEquals(candidate, certificate) || candidate.AsSpan().SequenceEqual(certificate))
            {
                return true;
            }
        }
        return false;
    }

    private byte[] Error(PkiMessage? request, CmpSender? sender, CmpResponder? responder, PkiFailureInfo failure, string reason)
    {
        try
        {
            return Write(CmpResponseHeader.For(request), PkiBodyType.Error, CmpBodies.Error(failure, reason), sender, responder, []);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The responder's key failed (HSM gone): an unprotected error still tells the requester why.
            CmpLog.Failed(_logger, e);
            return CmpMessageWriter.Write(CmpResponseHeader.For(request), PkiBodyType.Error, CmpBodies.Error(failure, reason), CmpResponseProtection.None, [],
                _time.GetUtcNow());
        }
    }

    private static CmpRejection Map(IssuanceRefusal refusal) => new(refusal.Kind switch
    {
        RefusalKind.BadProofOfPossession => PkiFailureInfo.BadPop,
        RefusalKind.NotAuthorized or RefusalKind.UnknownProfile => PkiFailureInfo.NotAuthorized,
        RefusalKind.MalformedRequest => PkiFailureInfo.BadDataFormat,
        RefusalKind.KeyNotAllowed or RefusalKind.ProfileViolation or RefusalKind.LintFailure => PkiFailureInfo.BadCertTemplate,
        _ => PkiFailureInfo.SystemFailure,
    }, refusal.Reason, refusal);


    private static string SenderHint(PkiMessage? request) => request?.Header.SenderKid is { } kid
        ? $"unverified:{Convert.ToHexString(kid)}"
        : "anonymous";
}
