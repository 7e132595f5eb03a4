using AmiPki.Core.Profiles;

namespace AmiPki.Protocols.EstCoaps;

/// <summary>
/// Maps the optional label of <c>/.well-known/est/&lt;label&gt;/&lt;op&gt;</c> (RFC 9148 §5, like RFC 7030 §3.2.2) to a
/// profile: configured labels first, then any profile that allows <c>est-coaps</c> under its own name.
/// </summary>
internal sealed class EstCoapsLabels
{
    private readonly EstCoapsOptions _options;
    private readonly ProfileSet _profiles;

    public EstCoapsLabels(EstCoapsOptions options, ProfileSet profiles)
    {
        _options = options;
        _profiles = profiles;
    }

    /// <summary>Every label a resource is registered under (CoAP resources are exact paths).</summary>
    public IReadOnlyList<string> All =>
        _options.Labels.Keys
            .Concat(_profiles.All.Where(AllowsEstCoaps).Select(profile => profile.Name))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <exception cref="EstCoapsProblem">4.04 for a label (or default) that names no EST-coaps profile.</exception>
    public CertificateProfile Resolve(string? label)
    {
        var name = label is null ? _options.DefaultProfile : _options.Labels.GetValueOrDefault(label) ?? label;
        if (_profiles.Find(name) is { } profile && AllowsEstCoaps(profile))
        {
            return profile;
        }

        throw EstCoapsProblem.NotFound(label is null
            ? $"no default EST-coaps profile ('{_options.DefaultProfile}' is not a profile that allows est-coaps)"
            : $"unknown EST-coaps label '{label}'");
    }

    public static bool AllowsEstCoaps(CertificateProfile profile) =>
        profile.AllowsProtocol(EnrollmentProtocol.EstCoaps);
}
