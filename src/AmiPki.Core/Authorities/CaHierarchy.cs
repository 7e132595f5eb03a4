namespace AmiPki.Core.Authorities;

/// <summary>The CAs this instance serves, by name.</summary>
public sealed class CaHierarchy : IDisposable
{
    private readonly Dictionary<string, CertificateAuthority> _byName;

    public CaHierarchy(IEnumerable<CertificateAuthority> authorities)
    {
        _byName = authorities.ToDictionary(a => a.Name, StringComparer.Ordinal);
    }

    public IReadOnlyCollection<CertificateAuthority> All => _byName.Values;

    public IReadOnlyCollection<string> Names => _byName.Keys;

    public CertificateAuthority? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The chain from <paramref name="name"/> up to its root, the named CA first.</summary>
    public IReadOnlyList<CertificateAuthority> ChainOf(string name)
    {
        var chain = new List<CertificateAuthority>();
        for (var current = Find(name); current is not null && chain.Count < 8; current = current.Record.Parent is { } parent ? Find(parent) : null)
        {
            chain.Add(current);
        }
        return chain;
    }

    public void Dispose()
    {
        foreach (var authority in _byName.Values)
        {
            authority.Key.Dispose();
            authority.Certificate.Dispose();
        }
    }
}
