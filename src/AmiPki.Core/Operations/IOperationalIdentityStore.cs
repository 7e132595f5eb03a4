namespace AmiPki.Core.Operations;

/// <summary>
/// Durable, shared operational identities (<see cref="OperationalIdentity"/>): every node on the storage presents the same
/// CMP responder, SCEP RA and OCSP responder, across restarts. Writes are durable when their task completes; the
/// compare-and-set on the version makes one of several nodes storing at once win, and the others adopt what it stored.
/// </summary>
public interface IOperationalIdentityStore
{
    /// <summary>The stored identity of that name, or null.</summary>
    Task<OperationalIdentity?> FindAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="identity"/> (its <see cref="OperationalIdentity.Version"/> is ignored) if the stored version is
    /// <paramref name="expectedVersion"/>, 0 meaning "none stored yet"; the stored version becomes
    /// <paramref name="expectedVersion"/> + 1. False, changing nothing, if another writer got there first.
    /// </summary>
    Task<bool> TryPutAsync(OperationalIdentity identity, long expectedVersion, CancellationToken cancellationToken);
}
