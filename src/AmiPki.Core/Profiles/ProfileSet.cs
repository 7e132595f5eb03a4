namespace AmiPki.Core.Profiles;

/// <summary>The loaded profiles, by name.</summary>
public sealed class ProfileSet
{
    private readonly Dictionary<string, CertificateProfile> _byName;

    public ProfileSet(IEnumerable<CertificateProfile> profiles)
    {
        _byName = profiles.ToDictionary(p => p.Name, StringComparer.Ordinal);
    }

    public IReadOnlyCollection<CertificateProfile> All => _byName.Values;

    public CertificateProfile? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Every profile's issuers must exist in the hierarchy; a profile naming an unknown CA stops start-up.</summary>
    public void EnsureIssuersExist(IReadOnlyCollection<string> caNames)
    {
        foreach (var profile in _byName.Values.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            var missing = profile.Issuers.FirstOrDefault(i => !caNames.Contains(i));
            if (missing is not null)
            {
                throw new ProfileLoadException(profile.SourceFile, "issuers", $"no CA named '{missing}' (known: {string.Join(", ", caNames)})");
            }
        }
    }
}
