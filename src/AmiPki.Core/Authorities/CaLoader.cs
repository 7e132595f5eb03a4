using AmiPki.Core.Keys;

namespace AmiPki.Core.Authorities;

/// <summary>Opens every stored CA with the key provider that holds its key.</summary>
public static class CaLoader
{
    public static async Task<CaHierarchy> LoadAsync(ICaStore store, IReadOnlyDictionary<string, IKeyProvider> providers, CancellationToken cancellationToken)
    {
        var records = await store.ListAsync(cancellationToken);
        var authorities = new List<CertificateAuthority>();
        try
        {
            foreach (var record in records)
            {
                if (!providers.TryGetValue(record.KeyProvider, out var provider))
                {
                    throw new KeyProviderException($"CA '{record.Name}' uses key provider '{record.KeyProvider}', which is not configured");
                }
                authorities.Add(new CertificateAuthority(record, provider.Open(record.KeyReference)));
            }
        }
        catch
        {
            foreach (var authority in authorities)
            {
                authority.Key.Dispose();
            }
            throw;
        }
        return new CaHierarchy(authorities);
    }
}
