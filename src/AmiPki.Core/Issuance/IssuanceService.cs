using System.Collections.Concurrent;
using System.Security.Cryptography;
using AmiPki.Core.Asn1;
using AmiPki.Core.Audit;
using AmiPki.Core.Authorities;
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
    private readonly ConcurrentDictionary<(string Issuer, string Profile), CertificateTemplate> _templates = new();

    public IssuanceService(CaHierarchy authorities, ProfileSet profiles, IIssuanceStore store, IAuditLog audit, TimeProvider time,
        CertificateLinter? linter = null, IReadOnlyList<IRequestRule>? rules = null)
    {
        _authorities = authorities;
        _profiles = profiles;
        _store = store;
        _audit = audit;
        _time = time;
        _linter = linter ?? new CertificateLinter();
        _rules = rules ?? [new KeyAlgorithmRule(), new SubjectNameRule(), new SubjectAltNameRule(), new RenewalIdentityRule()];
    }

    public CaHierarchy Authorities => _authorities;

    public ProfileSet Profiles => _profiles;

    /// <summary>Runs the whole pipeline. Throws <see cref="IssuanceRefusal"/> (already audited) when refused.</summary>
    public async Task<IssuedCertificate> IssueAsync(EnrollmentRequest request, CancellationToken cancellationToken)
    {
        PreparedCertificate prepared;
        try
        {
            prepared = Prepare(request);
        }
        catch (IssuanceRefusal refusal)
        {
            await AuditRefusalAsync(request, refusal, cancellationToken);
            throw;
        }
        return await IssuePreparedAsync(prepared, cancellationToken);
    }

    /// <summary>Steps 2–5: authorize, validate, build and lint. Touches no key and writes nothing.</summary>
    public PreparedCertificate Prepare(EnrollmentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = _time.GetTimestamp();
        try
        {
            return PrepareCore(request) with { StartedTimestamp = started };
        }
        catch (IssuanceRefusal refusal)
        {
            AmiPkiMetrics.IssuanceRefusals.Add(1, new(AmiPkiMetrics.Tags.Profile, request.ProfileName), new(AmiPkiMetrics.Tags.Protocol, request.Protocol),
                new(AmiPkiMetrics.Tags.Kind, refusal.Kind.ToString()));
            throw;
        }
    }

    private PreparedCertificate PrepareCore(EnrollmentRequest request)
    {
        var profile = _profiles.Find(request.ProfileName)
            ?? throw new IssuanceRefusal(RefusalKind.UnknownProfile, $"unknown profile '{request.ProfileName}'");
        if (!profile.Protocols.Contains(request.Protocol, StringComparer.Ordinal))
        {
            throw new IssuanceRefusal(RefusalKind.NotAuthorized, $"profile {profile.Name} is not available over {request.Protocol}");
        }
        if (!request.Requester.MayUse(profile.Name))
        {
            throw new IssuanceRefusal(RefusalKind.NotAuthorized, $"{request.Requester.Identity} may not use profile {profile.Name}");
        }
        var issuerName = request.IssuerName ?? profile.Issuers[0];
        if (!profile.Issuers.Contains(issuerName, StringComparer.Ordinal) || _authorities.Find(issuerName) is not { } issuer)
        {
            throw new IssuanceRefusal(RefusalKind.UnknownProfile, $"profile {profile.Name} is not issued by CA '{issuerName}'");
        }

        var csr = request.Parsed ?? CertificationRequest.Parse(request.CsrDer);
        var sanExtension = csr.RequestedExtensions.GetValueOrDefault(Oids.SubjectAltName);
        var subjectAltNames = sanExtension is null ? [] : SubjectAltName.ParseGeneralNames(sanExtension.Value);
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
        return BuildAndLint(request, profile, template, csr, sanExtension, subject, notBefore, notAfter);
    }

    /// <summary>Steps 6–10: reserve the serial durably, sign, record durably with the audit entry.</summary>
    public async Task<IssuedCertificate> IssuePreparedAsync(PreparedCertificate prepared, CancellationToken cancellationToken)
    {
        var issuer = prepared.Template.Issuer;
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
            prepared = BuildAndLint(prepared.Request, prepared.Profile, prepared.Template, prepared.Csr, prepared.SubjectAltName,
                prepared.Subject, prepared.NotBefore, prepared.NotAfter) with { StartedTimestamp = prepared.StartedTimestamp };
        }

        byte[] signature;
        try
        {
            signature = issuer.Key.Sign(prepared.Tbs, issuer.SignatureHash);
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
        var der = prepared.Template.Assemble(prepared.Tbs, signature);
        var sha256 = Convert.ToHexString(SHA256.HashData(der));
        // Once signed, the record must be written even if the caller gave up: CancellationToken.None.
        await _store.CompleteAsync(issuer.Name, prepared.SerialHex, der, sha256,
            Event(prepared.Request, "success", $"serial={prepared.SerialHex} issuer={issuer.Name} profile={prepared.Profile.Name} subject={prepared.Subject}"),
            CancellationToken.None);
        RecordIssued(prepared);
        return new IssuedCertificate(issuer, prepared.Profile.Name, prepared.SerialHex, der, prepared.NotBefore, prepared.NotAfter);
    }

    private PreparedCertificate BuildAndLint(EnrollmentRequest request, CertificateProfile profile, CertificateTemplate template,
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
        return new PreparedCertificate(request, profile, template, csr, sanExtension, subject, serial, tbs, notBefore, notAfter);
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
        prepared.Request.Device?.DeviceId);

    private Task AuditRefusalAsync(EnrollmentRequest request, IssuanceRefusal refusal, CancellationToken cancellationToken) =>
        _audit.AppendAsync(Event(request, "refused", $"profile={request.ProfileName} refusal={refusal.Kind} reason={refusal.Reason}"), cancellationToken);

    private AuditEvent Event(EnrollmentRequest request, string outcome, string detail) =>
        new(_time.GetUtcNow(), "issuance", $"{request.Protocol}:{request.Requester.Identity}", outcome, detail);

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset time) => new(time.Ticks - time.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
