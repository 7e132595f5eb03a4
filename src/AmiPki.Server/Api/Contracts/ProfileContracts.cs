using System.Text.Json;
using AmiPki.Core.Authorization;
using AmiPki.Core.Profiles;

namespace AmiPki.Server.Api.Contracts;

/// <summary>
/// A certificate profile and its effective authorization matrix: who may obtain a certificate of it over which protocol,
/// bound to which subject, and what a renewal does (<c>GET /api/v1/profiles</c>, <c>amipki profiles show --json</c>).
/// Enumerated values are spelt as the profile files spell them (<c>factoryCertificate</c>, <c>systemTitle</c>,
/// <c>ecP256</c>); each has a sentence beside it for people. What no rule allows is refused (default deny).
/// </summary>
public sealed record ProfileView(string Name, string Description, IReadOnlyList<string> Issuers, IReadOnlyList<string> KeyAlgorithms,
    string Subject, string SubjectText, IReadOnlyList<string> SubjectAltNames, bool ManualApproval, IReadOnlyList<string> FactoryCertificateProtocols,
    ProfileRenewalView Renewal, IReadOnlyList<ProfileProtocolView> Protocols, string SourceFile)
{
    /// <summary>Every profile of the set, by name.</summary>
    public static IReadOnlyList<ProfileView> All(ProfileSet profiles)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        return profiles.All.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => From(p, profiles.All)).ToList();
    }

    /// <summary>The named profile, or a <see cref="KeyNotFoundException"/> whose message lists the known names.</summary>
    public static ProfileView Find(ProfileSet profiles, string name)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        var profile = profiles.Find(name) ?? throw new KeyNotFoundException(UnknownName(profiles, name));
        return From(profile, profiles.All);
    }

    /// <summary>The one line an unknown profile name gets, listing the known ones.</summary>
    public static string UnknownName(ProfileSet profiles, string name)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        return $"no profile named '{name}' (known: {string.Join(", ", profiles.All.Select(p => p.Name).Order(StringComparer.Ordinal))})";
    }

    /// <summary><paramref name="all"/>: the other profiles, to find those naming this one as their renewal successor.</summary>
    public static ProfileView From(CertificateProfile profile, IEnumerable<CertificateProfile> all)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var predecessors = all.Where(p => p.Name != profile.Name && p.Renewal.Successor == profile.Name).Select(p => p.Name)
            .Order(StringComparer.Ordinal).ToList();
        var renewal = new ProfileRenewalView(profile.Renewal.RevokeSuperseded, profile.Renewal.Successor, predecessors);
        var protocols = profile.Protocols.Select(protocol =>
        {
            var rules = profile.Authorization.Where(r => r.Protocols.Contains(protocol, StringComparer.Ordinal)).Select(ProfileRuleView.From).ToList();
            var renewable = profile.Authorization.Any(r => r.Requester == RuleRequester.CurrentCertificate && r.Protocols.Contains(protocol, StringComparer.Ordinal));
            return new ProfileProtocolView(protocol, rules, renewable, renewal.Describe(protocol, renewable));
        }).ToList();
        var factory = profile.Authorization.Where(r => r.Requester == RuleRequester.FactoryCertificate).SelectMany(r => r.Protocols)
            .Distinct(StringComparer.Ordinal).ToList();
        return new ProfileView(profile.Name, profile.Description, profile.Issuers, profile.KeyAlgorithms.Select(a => Spelling(a)).ToList(),
            Spelling(profile.Subject), SubjectRuleText(profile.Subject), profile.SubjectAltNames, profile.ManualApproval, factory, renewal, protocols,
            Path.GetFileName(profile.SourceFile));
    }

    /// <summary>An enumerated value as profile files spell it (camelCase).</summary>
    public static string Spelling<T>(T value) where T : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    private static string SubjectRuleText(SubjectRule rule) => rule switch
    {
        SubjectRule.DlmsSystemTitle => "exactly CN = the DLMS system title (16 hex digits)",
        SubjectRule.CommonNameRequired => "a non-empty CN, other attributes allowed",
        _ => "any subject, an empty one with a critical SAN",
    };
}

/// <summary>The rules of a profile that name one protocol, and whether a current certificate may be renewed over it.</summary>
public sealed record ProfileProtocolView(string Protocol, IReadOnlyList<ProfileRuleView> Rules, bool Renewable, string RenewalText);

/// <summary>
/// One authorization rule: <c>requester</c> (factoryCertificate, credential, currentCertificate, administrator, internal,
/// manualApproval), for a factory certificate whether the device must be registered and of which kinds, and the
/// effective subject binding (any, systemTitle, credential, credentialRequired, renewed).
/// </summary>
public sealed record ProfileRuleView(string Requester, string Who, bool? RegisteredDevice, IReadOnlyList<string> DeviceKinds, string Subject,
    string SubjectText, string Description)
{
    public static ProfileRuleView From(AuthorizationRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var factory = rule.Requester == RuleRequester.FactoryCertificate;
        return new ProfileRuleView(ProfileView.Spelling(rule.Requester), rule.DescribeRequester(), factory ? rule.RegisteredDevice : null,
            factory ? rule.DeviceKinds : [], ProfileView.Spelling(rule.EffectiveSubject), rule.DescribeSubject(), rule.Describe());
    }
}

/// <summary>
/// What renewing a certificate of the profile does (the same over every protocol): whether the renewed certificate is
/// revoked as superseded, the profile it may renew into, and the profiles naming this one as theirs.
/// </summary>
public sealed record ProfileRenewalView(bool RevokeSuperseded, string? Successor, IReadOnlyList<string> RenewedFrom)
{
    /// <summary>The renewal line of one protocol's table.</summary>
    public string Describe(string protocol, bool renewable)
    {
        if (!renewable)
        {
            return $"no renewal over {protocol} (no currentCertificate rule)";
        }
        var text = "holder of a current certificate, same subject and SAN; "
                   + (RevokeSuperseded ? "the renewed certificate is revoked as superseded" : "the renewed certificate stays valid");
        if (Successor is not null)
        {
            text += $"; may renew into {Successor}";
        }
        if (RenewedFrom.Count > 0)
        {
            text += $"; holders of {string.Join(", ", RenewedFrom)} may renew into this profile";
        }
        return text;
    }
}
