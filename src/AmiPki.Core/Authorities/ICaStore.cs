namespace AmiPki.Core.Authorities;

/// <summary>The CA hierarchy's records.</summary>
public interface ICaStore
{
    Task<IReadOnlyList<CaRecord>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Adds a CA, or replaces one of the same name (a renewed CA certificate).</summary>
    Task SaveAsync(CaRecord record, CancellationToken cancellationToken);
}
