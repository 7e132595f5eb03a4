using AmiPki.Core.Issuance;
using AmiPki.Core.Profiles;

namespace AmiPki.Core.Authorization;

/// <summary>
/// The registration-authority decision, once for every protocol (Boulder's RA; smallstep's provisioners): may this
/// authenticated requester obtain this profile over this protocol, and bound to what? The answer comes only from the
/// profile's declared <see cref="CertificateProfile.Authorization"/> rules; what no rule allows is refused
/// (<see cref="RefusalKind.NotAuthorized"/>), naming the rule or the missing permission.
/// </summary>
public sealed class EnrollmentAuthorizer
{
    private readonly ProfileSet _profiles;
    private readonly TimeProvider _time;

    public EnrollmentAuthorizer(ProfileSet profiles, TimeProvider time)
    {
        _profiles = profiles;
        _time = time;
    }

    /// <exception cref="IssuanceRefusal">Not authorized; <see cref="IssuanceRefusal.Rule"/> names the rule that refused, if one applied.</exception>
    public AuthorizationGrant Authorize(CertificateProfile profile, EnrollmentRequest request)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(request);
        var overProtocol = profile.Authorization.Where(r => r.Protocols.Contains(request.Protocol, StringComparer.Ordinal)).ToList();
        if (overProtocol.Count == 0)
        {
            throw Refused($"profile {profile.Name} is not available over {request.Protocol}", null);
        }
        if (request.Requester.Approved is { } approved)
        {
            return ApprovedGrant(profile, request, approved);
        }
        var kind = RuleKindOf(request.Requester.Kind);
        var candidates = overProtocol.Where(r => r.Requester == kind).ToList();
        if (candidates.Count == 0)
        {
            throw Refused($"profile {profile.Name} over {request.Protocol} does not admit a {Describe(kind)} (it admits: "
                + string.Join("; ", overProtocol.Select(r => Describe(r.Requester)).Distinct()) + ")", null);
        }
        IssuanceRefusal? first = null;
        foreach (var rule in candidates)
        {
            try
            {
                return Grant(rule, profile, request);
            }
            catch (IssuanceRefusal refusal)
            {
                first ??= refusal;
            }
        }
        throw first!;
    }

    /// <summary>The protocols over which <paramref name="profile"/> admits <paramref name="kind"/> at all (for labels and messages).</summary>
    public static bool Admits(CertificateProfile profile, string protocol, RequesterKind kind) =>
        profile.Authorization.Any(r => r.Requester == RuleKindOf(kind) && r.Protocols.Contains(protocol, StringComparer.Ordinal));

    private AuthorizationGrant Grant(AuthorizationRule rule, CertificateProfile profile, EnrollmentRequest request)
    {
        var requester = request.Requester;
        switch (rule.Requester)
        {
            case RuleRequester.FactoryCertificate:
                return FactoryGrant(rule, profile, requester.Factory ?? throw Refused("a factory certificate requester carries no IDevID", rule));
            case RuleRequester.Credential:
                return CredentialGrant(rule, profile, requester);
            case RuleRequester.CurrentCertificate:
                return RenewalGrant(rule, profile, requester.Holder ?? throw Refused("a renewal requester carries no current certificate", rule));
            case RuleRequester.ManualApproval:
                return new AuthorizationGrant(rule) { Device = request.Device, RequiresApproval = true };
            default:
                return new AuthorizationGrant(rule) { Device = request.Device };
        }
    }

    /// <summary>
    /// An approved held request: it passed this authorizer when it was submitted (audited then), and an administrator
    /// released it. It is issued exactly as held: same protocol, profile and CSR, keeping the identity it renews.
    /// </summary>
    private static AuthorizationGrant ApprovedGrant(CertificateProfile profile, EnrollmentRequest request, Approvals.PendingRequest approved)
    {
        var rule = new AuthorizationRule { Protocols = [request.Protocol], Requester = RuleRequester.ManualApproval };
        if (approved.State != Approvals.PendingRequestState.Approved || approved.DecidedBy is null)
        {
            throw Refused($"request {approved.Id} is {approved.State.ToString().ToLowerInvariant()}, not approved", rule);
        }
        if (!string.Equals(approved.Profile, profile.Name, StringComparison.Ordinal) || !string.Equals(approved.Protocol, request.Protocol, StringComparison.Ordinal)
            || !approved.CsrDer.AsSpan().SequenceEqual(request.CsrDer.Span))
        {
            throw Refused($"request {approved.Id} was approved for profile {approved.Profile} over {approved.Protocol} with its own CSR, not this one", rule);
        }
        return new AuthorizationGrant(rule)
        {
            Renewing = approved.RenewingDer is { } renewing ? CertificateFields.Read(renewing) : null,
            RequiresApproval = true,
            Device = request.Device,
        };
    }

    private static AuthorizationGrant FactoryGrant(AuthorizationRule rule, CertificateProfile profile, FactoryIdentity factory)
    {
        var device = factory.Device;
        if (device is null && (rule.RegisteredDevice || rule.EffectiveSubject == SubjectBinding.SystemTitle))
        {
            throw Refused($"the device with IDevID SHA-256 {factory.IDevIdSha256} is not in the device registry (profile {profile.Name} needs a registered device)", rule);
        }
        if (device is not null && rule.DeviceKinds.Count > 0 && !rule.DeviceKinds.Contains(device.Kind, StringComparer.Ordinal))
        {
            throw Refused($"device {device.SystemTitle} is registered as a {device.Kind}; profile {profile.Name} is for {string.Join(", ", rule.DeviceKinds)} devices", rule);
        }
        return new AuthorizationGrant(rule)
        {
            RequiredSystemTitle = rule.EffectiveSubject == SubjectBinding.SystemTitle ? device!.SystemTitle : null,
            Device = device is null
                ? new DeviceContext(null, null, null, factory.IDevIdSha256)
                : new DeviceContext(device.SystemTitle, device.Dcu, device.ManufacturerLot, factory.IDevIdSha256),
        };
    }

    private AuthorizationGrant CredentialGrant(AuthorizationRule rule, CertificateProfile profile, Requester requester)
    {
        var credential = requester.Credential ?? throw Refused("a credential requester carries no credential", rule);
        if (!credential.Profiles.Contains(profile.Name, StringComparer.Ordinal))
        {
            throw Refused($"credential {credential.Name} is not bound to profile {profile.Name} (it is bound to {string.Join(", ", credential.Profiles)})", rule);
        }
        if (credential.ExpiresAt is { } expires && expires <= _time.GetUtcNow())
        {
            throw Refused($"credential {credential.Name} expired at {expires:u}", rule);
        }
        if (credential.OneTime && credential.UsedAt is not null)
        {
            throw Refused($"credential {credential.Name} was for one use and has been used", rule);
        }
        if (rule.EffectiveSubject == SubjectBinding.CredentialRequired && string.IsNullOrWhiteSpace(credential.Subject))
        {
            throw Refused($"profile {profile.Name} needs a credential bound to one subject; credential {credential.Name} is not", rule);
        }
        return new AuthorizationGrant(rule)
        {
            RequiredSubject = string.IsNullOrWhiteSpace(credential.Subject) ? null : credential.Subject,
            OneTimeCredential = credential.OneTime ? credential : null,
        };
    }

    private AuthorizationGrant RenewalGrant(AuthorizationRule rule, CertificateProfile profile, CurrentCertificate holder)
    {
        var current = holder.Record.Profile;
        var successor = _profiles.Find(current)?.Renewal.Successor;
        if (!string.Equals(current, profile.Name, StringComparison.Ordinal) && !string.Equals(successor, profile.Name, StringComparison.Ordinal))
        {
            throw Refused($"the certificate presented (serial {holder.Record.SerialHex}) is of profile {current}; it renews only into {current}"
                + (successor is null ? "" : $" or its successor {successor}") + $", not {profile.Name}", rule);
        }
        var record = holder.Record;
        return new AuthorizationGrant(rule)
        {
            Renewing = holder.Certificate,
            Supersedes = profile.Renewal.RevokeSuperseded ? record : null,
            Device = record.SystemTitle is null && record.Dcu is null && record.ManufacturerLot is null && record.DeviceId is null
                ? null
                : new DeviceContext(record.SystemTitle, record.Dcu, record.ManufacturerLot, record.DeviceId),
        };
    }

    private static RuleRequester RuleKindOf(RequesterKind kind) => kind switch
    {
        RequesterKind.FactoryCertificate => RuleRequester.FactoryCertificate,
        RequesterKind.Credential => RuleRequester.Credential,
        RequesterKind.CurrentCertificate => RuleRequester.CurrentCertificate,
        RequesterKind.Administrator => RuleRequester.Administrator,
        RequesterKind.Unverified => RuleRequester.ManualApproval,
        _ => RuleRequester.Internal,
    };

    private static string Describe(RuleRequester kind) => kind switch
    {
        RuleRequester.FactoryCertificate => "factory certificate",
        RuleRequester.Credential => "credential",
        RuleRequester.CurrentCertificate => "current certificate (renewal)",
        RuleRequester.Administrator => "administrator",
        RuleRequester.ManualApproval => "request without automatic authentication",
        _ => "internal requester",
    };

    private static IssuanceRefusal Refused(string reason, AuthorizationRule? rule) =>
        new(RefusalKind.NotAuthorized, reason) { Rule = rule?.Describe() };
}
