using System.Collections.Concurrent;
using System.Security.Cryptography;
using AmiPki.Core.Asn1;
using AmiPki.Core.Audit;
using AmiPki.Core.Authorities;
using AmiPki.Core.Authorization;
using AmiPki.Core.Credentials;
using AmiPki.Core.Lint;
using AmiPki.Core.Policy;
using AmiPki.Core.Profiles;
using AmiPki.Core.Storage;
using AmiPki.Core.Telemetry;

namespace AmiPki.Core.Issuance;

/// <summary>
/// The issuance pipeline every protocol goes through (DESIGN.md): authorize → validate the CSR → build the TBS from
/// the profile → lint a throwaway-signed copy → record the intent durably → sign → record the certificate durably
/// with its audit entry → answer. Refusals are typed (<see cref="IssuanceRefusal"/>) and audited too.
/// </summary>
public sealed class IssuanceService
{
    /// <summary>Clock skew allowance for devices whose clocks run a little behind (RFC 5280 leaves notBefore to the CA).</summary>
    private static readonly TimeSpan Backdate = TimeSpan.FromMinutes(5);
    private const int MaxSerialAttempts = 4;

    private readonly CaHierarchy _authorities;
    private readonly ProfileSet _profiles;
    private readonly IIssuanceStore _store;
    private readonly IAuditLog _audit;
    private readonly TimeProvider _time;
    private readonly CertificateLinter _linter;
    private readonly IReadOnlyList<IRequestRule> _rules;
    private readonly EnrollmentAuthorizer _authorizer;
    private readonly ICredentialStore? _credentials;
    private readonly ConcurrentDictionary<(string Issuer, string Profile), CertificateTemplate> _templates = new();
    private volatile ISupersededCertificateRevoker? _supersession;

    /// <param name="credentials">Where one-time credentials are consumed; needed as soon as one is used.</param>
    /// <param name="supersession">Where renewals revoke the certificate they replace (see <see cref="AttachSupersession"/>).</param>
    public IssuanceService(CaHierarchy authorities, ProfileSet profiles, IIssuanceStore store, IAuditLog audit, TimeProvider time,
        CertificateLinter? linter = null, IReadOnlyList<IRequestRule>? rules = null, ICredentialStore? credentials = null,
        ISupersededCertificateRevoker? supersession = null)
    {
        _authorities = authorities;
        _profiles = profiles;
        _store = store;
        _audit = audit;
        _time = time;
        _linter = linter ?? new CertificateLinter();
        _rules = rules ?? [new KeyAlgorithmRule(), new SubjectNameRule(), new SubjectAltNameRule(), new RenewalIdentityRule()];
        _authorizer = new EnrollmentAuthorizer(profiles, time);
        _credentials = credentials;
        _supersession = supersession;
    }

    public CaHierarchy Authorities => _authorities;

    public ProfileSet Profiles => _profiles;

    /// <summary>
    /// Where renewals revoke the certificate they replace (the host attaches its revocation service once it is built,
    /// so that CRLs and OCSP follow at once). Without one, a superseding renewal is refused rather than leaving the old
    /// certificate valid against the profile's policy.
    /// </summary>
    public void AttachSupersession(ISupersededCertificateRevoker revoker) => _supersession = revoker ?? throw new ArgumentNullException(nameof(revoker));

    /// <summary>Runs the whole pipeline. Throws <see cref="IssuanceRefusal"/> (already audited) when refused.</summary>
    public async Task<IssuedCertificate> IssueAsync(EnrollmentRequest request, CancellationToken cancellationToken) =>
        await IssuePreparedAsync(await PrepareAsync(request, cancellationToken), cancellationToken);

    /// <summary>
    /// Steps 2–5: authorize, validate, build and lint. Touches no key and writes nothing but the audit entry of a
    /// refusal: every refusal is audited here, once, in one shape (adapters do not audit the core's refusals again).
    /// </summary>
    /// <exception cref="IssuanceRefusal">Refused (audited).</exception>
    public async Task<PreparedCertificate> PrepareAsync(EnrollmentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = _time.GetTimestamp();
        try
        {
            return PrepareCore(request) with { StartedTimestamp = started };
        }
        catch (IssuanceRefusal refusal)
        {
            await RefusedAsync(request, refusal, cancellationToken);
            throw;
        }
    }

    private async Task RefusedAsync(EnrollmentRequest request, IssuanceRefusal refusal, CancellationToken cancellationToken)
    {
        AmiPkiMetrics.IssuanceRefusals.Add(1, new(AmiPkiMetrics.Tags.Profile, request.ProfileName), new(AmiPkiMetrics.Tags.Protocol, request.Protocol),
            new(AmiPkiMetrics.Tags.Kind, refusal.Kind.ToString()));
        await AuditRefusalAsync(request, refusal, cancellationToken);
    }

    private PreparedCertificate PrepareCore(EnrollmentRequest request)
    {
        var profile = _profiles.Find(request.ProfileName)
            ?? throw new IssuanceRefusal(RefusalKind.UnknownProfile,
                $"unknown profile '{request.ProfileName}' (known: {string.Join(", ", _profiles.All.Select(p => p.Name).Order(StringComparer.Ordinal))})");
        var grant = _authorizer.Authorize(profile, request);
        var csr = request.Parsed ?? CertificationRequest.Parse(request.CsrDer);
        var issuer = ChooseIssuer(profile, request.IssuerName, csr);
        request = request with { Renewing = grant.Renewing ?? request.Renewing, Device = request.Device ?? grant.Device };

        var sanExtension = csr.RequestedExtensions.GetValueOrDefault(Oids.SubjectAltName);
        var subjectAltNames = sanExtension is null ? [] : SubjectAltName.ParseGeneralNames(sanExtension.Value);
        // The authorization's own binding first: a registered device asking for another name is not authorized (403),
        // rather than a malformed request.
        SubjectBindingCheck.Check(grant, csr, profile.Name);
        foreach (var rule in _rules)
        {
            rule.Check(csr, subjectAltNames, profile, request);
        }
        // Proof of possession last among the request checks: it is the costly one (RFC 2986 §3).
        if (!request.ProofOfPossessionVerified && !csr.VerifySignature())
        {
            throw new IssuanceRefusal(RefusalKind.BadProofOfPossession, "the CSR signature does not verify with its public key (no proof of possession)");
        }

        var template = _templates.GetOrAdd((issuer.Name, profile.Name), static (key, state) => new CertificateTemplate(state.issuer, state.profile), (issuer, profile));
        var now = _time.GetUtcNow();
        var notBefore = Max(TruncateToSeconds(now - Backdate), issuer.NotBefore);
        var notAfter = Min(TruncateToSeconds(now + TimeSpan.FromDays(profile.ValidityDays)), issuer.NotAfter);
        if (notAfter <= notBefore)
        {
            throw new IssuanceRefusal(RefusalKind.ProfileViolation, $"CA {issuer.Name} has expired or expires too soon to issue");
        }
        var subject = DistinguishedNameFormatter.Format(csr.Subject);
        return BuildAndLint(request, profile, grant, template, csr, sanExtension, subject, notBefore, notAfter);
    }

    /// <summary>
    /// The CA asked for is honoured or refused, never silently replaced: a named issuer must be one of the profile's;
    /// otherwise the profile's issuer whose key is of the request's algorithm (a P-384 key gets the P-384 CA, IEC
    /// 62056-5-3 Suite 2), else its first.
    /// </summary>
    private CertificateAuthority ChooseIssuer(CertificateProfile profile, string? named, CertificationRequest csr)
    {
        if (named is not null)
        {
            if (!profile.Issuers.Contains(named, StringComparer.Ordinal))
            {
                throw new IssuanceRefusal(RefusalKind.UnknownProfile,
                    $"profile {profile.Name} is not issued by CA '{named}' (its issuers: {string.Join(", ", profile.Issuers)})");
            }
            return _authorities.Find(named) ?? throw new IssuanceRefusal(RefusalKind.UnknownProfile, $"CA '{named}' is not online on this server");
        }
        var online = profile.Issuers.Select(_authorities.Find).OfType<CertificateAuthority>().ToList();
        return online.FirstOrDefault(a => a.Key.Algorithm == csr.KeyAlgorithm)
            ?? online.FirstOrDefault()
            ?? throw new IssuanceRefusal(RefusalKind.UnknownProfile, $"none of the issuers of profile {profile.Name} ({string.Join(", ", profile.Issuers)}) is online on this server");
    }

    /// <summary>Steps 6–10: reserve the serial durably, sign, record durably with the audit entry.</summary>
    public async Task<IssuedCertificate> IssuePreparedAsync(PreparedCertificate prepared, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        var issuer = prepared.Template.Issuer;
        await ConsumeOneTimeCredentialAsync(prepared, cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            if (await _store.TryReserveAsync(IntentOf(prepared), cancellationToken))
            {
                break;
            }
            if (attempt == MaxSerialAttempts)
            {
                throw new InvalidOperationException($"{MaxSerialAttempts} serial collisions in a row at CA {issuer.Name}: the random source is broken");
            }
            // A collision of 127 random bits means another request holds the serial: draw again, rebuild and re-lint.
            prepared = BuildAndLint(prepared.Request, prepared.Profile, prepared.Grant, prepared.Template, prepared.Csr, prepared.SubjectAltName,
                prepared.Subject, prepared.NotBefore, prepared.NotAfter) with { StartedTimestamp = prepared.StartedTimestamp };
        }

        byte[] signature;
        try
        {
            signature = issuer.Key.Sign(prepared.TbsBytes, issuer.SignatureHash);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The key provider refused for certain: burn the serial (never reused) and say why.
            var reason = $"the issuing key of CA {issuer.Name} could not sign: {e.Message}";
            await _store.AbandonAsync(issuer.Name, prepared.SerialHex,
                Event(prepared.Request, "failed", $"serial={prepared.SerialHex} profile={prepared.Profile.Name} subject={prepared.Subject} reason={reason}"),
                CancellationToken.None);
            throw new IssuanceRefusal(RefusalKind.SigningFailed, reason, e);
        }
        var der = prepared.Template.Assemble(prepared.TbsBytes, signature);
        var sha256 = Convert.ToHexString(SHA256.HashData(der));
        // Once signed, the record must be written even if the caller gave up: CancellationToken.None.
        await _store.CompleteAsync(issuer.Name, prepared.SerialHex, der, sha256,
            Event(prepared.Request, "success", $"serial={prepared.SerialHex} issuer={issuer.Name} profile={prepared.Profile.Name} subject={prepared.Subject}"),
            CancellationToken.None);
        RecordIssued(prepared);
        var issued = new IssuedCertificate(issuer, prepared.Profile.Name, prepared.SerialHex, der, prepared.NotBefore, prepared.NotAfter);
        if (prepared.Grant.Supersedes is not { } superseded)
        {
            return issued;
        }
        if (prepared.Request.DeferSupersession)
        {
            return issued with { PendingSupersession = (superseded.Issuer, superseded.SerialHex) };
        }
        await _supersession!.RevokeSupersededAsync(superseded.Issuer, superseded.SerialHex, $"{prepared.Request.Protocol}:{prepared.Request.Requester.Identity}",
            CancellationToken.None);
        return issued;
    }

    /// <summary>A certificate issued twice for one approval (two nodes raced): revoked as superseded, the other copy stands.</summary>
    internal Task RevokeDuplicateAsync(IssuedCertificate duplicate, string actor) =>
        (_supersession ?? throw new InvalidOperationException("no revocation service is attached to the issuance service"))
            .RevokeSupersededAsync(duplicate.Issuer.Name, duplicate.SerialHex, actor, CancellationToken.None);

    /// <summary>
    /// The last checks before the serial is reserved: an approval the profile or grant needs, then the one-time credential,
    /// consumed once the request passed every check (atomic: of two racing uses one wins).
    /// </summary>
    private async Task ConsumeOneTimeCredentialAsync(PreparedCertificate prepared, CancellationToken cancellationToken)
    {
        if (prepared.Grant.Supersedes is not null && !prepared.Request.DeferSupersession && _supersession is null)
        {
            throw new InvalidOperationException($"profile {prepared.Profile.Name} revokes superseded certificates, but no revocation service is attached to the issuance service");
        }
        var approvedBy = prepared.Request.ApprovedBy ?? prepared.Request.Requester.Approved?.DecidedBy;
        if ((prepared.Profile.ManualApproval || prepared.Grant.RequiresApproval) && approvedBy is null
            && prepared.Request.Requester.Kind is not (RequesterKind.Administrator or RequesterKind.Internal))
        {
            var refusal = new IssuanceRefusal(RefusalKind.NotAuthorized, $"profile {prepared.Profile.Name}: this request needs an administrator's approval first")
            { Rule = prepared.Grant.Rule.Describe() };
            await RefusedAsync(prepared.Request, refusal, cancellationToken);
            throw refusal;
        }
        if (prepared.Grant.OneTimeCredential is not { } credential)
        {
            return;
        }
        var store = _credentials ?? throw new InvalidOperationException("a one-time credential was used, but the issuance service has no credential store");
        if (!await store.TryConsumeAsync(credential.Kind, credential.Name, _time.GetUtcNow(), CancellationToken.None))
        {
            var refusal = new IssuanceRefusal(RefusalKind.NotAuthorized, $"credential {credential.Name} was for one use and has been used") { Rule = prepared.Grant.Rule.Describe() };
            await RefusedAsync(prepared.Request, refusal, cancellationToken);
            throw refusal;
        }
    }

    private PreparedCertificate BuildAndLint(EnrollmentRequest request, CertificateProfile profile, AuthorizationGrant grant, CertificateTemplate template,
        CertificationRequest csr, RequestedExtension? sanExtension, string subject, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var serial = SerialNumberGenerator.Next();
        var tbs = template.BuildTbs(serial, notBefore, notAfter, csr, sanExtension);
        var issuer = template.Issuer;
        var lintCopy = template.Assemble(tbs, ThrowawayLintKeys.Sign(issuer.Key.Algorithm, tbs, issuer.SignatureHash));
        if (_linter.Run(lintCopy, new LintContext(issuer, profile)) is { } problem)
        {
            throw new IssuanceRefusal(RefusalKind.LintFailure, $"pre-issuance lint failed: {problem}");
        }
        return new PreparedCertificate
        {
            Request = request, Profile = profile, Grant = grant, Template = template, Csr = csr, SubjectAltName = sanExtension, Subject = subject,
            Serial = serial, TbsBytes = tbs, NotBefore = notBefore, NotAfter = notAfter,
        };
    }

    private void RecordIssued(PreparedCertificate prepared)
    {
        var profile = new KeyValuePair<string, object?>(AmiPkiMetrics.Tags.Profile, prepared.Profile.Name);
        var protocol = new KeyValuePair<string, object?>(AmiPkiMetrics.Tags.Protocol, prepared.Request.Protocol);
        AmiPkiMetrics.CertificatesIssued.Add(1, profile, protocol, new(AmiPkiMetrics.Tags.Issuer, prepared.Template.Issuer.Name));
        if (prepared.StartedTimestamp != 0)
        {
            AmiPkiMetrics.IssuanceDuration.Record(_time.GetElapsedTime(prepared.StartedTimestamp).TotalSeconds, profile, protocol);
        }
    }

    private IssuanceIntent IntentOf(PreparedCertificate prepared) => new(
        prepared.Template.Issuer.Name,
        prepared.SerialHex,
        prepared.Profile.Name,
        prepared.Subject,
        prepared.NotBefore,
        prepared.NotAfter,
        prepared.Request.Requester.Identity,
        prepared.Request.Protocol,
        _time.GetUtcNow(),
        prepared.Request.Device?.SystemTitle ?? (prepared.Profile.Subject == SubjectRule.DlmsSystemTitle ? prepared.Csr.CommonName : null),
        prepared.Request.Device?.Dcu,
        prepared.Request.Device?.ManufacturerLot,
        prepared.Request.Device?.DeviceId,
        prepared.Tbs.ToArray());

    private Task AuditRefusalAsync(EnrollmentRequest request, IssuanceRefusal refusal, CancellationToken cancellationToken) =>
        _audit.AppendAsync(Event(request, "refused",
            $"profile={request.ProfileName} refusal={refusal.Kind} reason={refusal.Reason}" + (refusal.Rule is { } rule ? $" rule=[{rule}]" : "")), CancellationToken.None);

    private AuditEvent Event(EnrollmentRequest request, string outcome, string detail) =>
        new(_time.GetUtcNow(), "issuance", $"{request.Protocol}:{request.Requester.Identity}", outcome, detail);

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset time) => new(time.Ticks - time.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
