using AmiPki.Core.Profiles;

namespace AmiPki.Protocols.Est;

/// <summary>
/// Maps the optional label of <c>/.well-known/est/&lt;label&gt;/</c> (RFC 7030 §3.2.2) to a profile: configured labels
/// first, then any profile that allows EST by its own name; no label means the default profile.
/// </summary>
internal sealed class EstLabels
{
    private readonly EstOptions _options;
    private readonly ProfileSet _profiles;

    public EstLabels(EstOptions options, ProfileSet profiles)
    {
        _options = options;
        _profiles = profiles;
    }

    /// <exception cref="EstProblem">404 for a label (or default) that names no EST profile.</exception>
    public CertificateProfile Resolve(string? label)
    {
        var name = label is null
            ? _options.DefaultProfile
            : _options.Labels.GetValueOrDefault(label) ?? label;
        if (_profiles.Find(name) is { } profile && profile.AllowsProtocol(EnrollmentProtocol.Est))
        {
            return profile;
        }
        throw EstProblem.NotFound(label is null
            ? $"no default EST profile ('{_options.DefaultProfile}' is not a profile that allows EST)"
            : $"unknown EST label '{label}'");
    }
}
