namespace AmiPki.Core.Transactions;

/// <summary>
/// Durable, shared protocol transactions (see <see cref="ProtocolTransaction"/>). Every write is durable when its task
/// completes; the compare-and-set on <see cref="ProtocolTransaction.Version"/> makes each transition happen once however
/// many nodes race.
/// </summary>
public interface IProtocolTransactionStore
{
    /// <summary>Records a new transaction (its version must be 1). False if one with the same protocol and key exists: a replay.</summary>
    Task<bool> TryBeginAsync(ProtocolTransaction transaction, CancellationToken cancellationToken);

    Task<ProtocolTransaction?> FindAsync(string protocol, string key, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces state, payload, updatedAt and dueAt, and sets the version to <paramref name="expectedVersion"/> + 1, only if
    /// the stored version is <paramref name="expectedVersion"/>. False if another writer got there first (or it is gone).
    /// </summary>
    Task<bool> TryUpdateAsync(ProtocolTransaction transaction, long expectedVersion, CancellationToken cancellationToken);

    /// <summary>Transactions of a protocol in a state whose <see cref="ProtocolTransaction.DueAt"/> is at or before <paramref name="dueBy"/>, oldest due first.</summary>
    Task<IReadOnlyList<ProtocolTransaction>> ListDueAsync(string protocol, string state, DateTimeOffset dueBy, int limit, CancellationToken cancellationToken);

    /// <summary>Deletes the protocol's transactions last updated before <paramref name="updatedBefore"/> (the replay window); returns how many.</summary>
    Task<int> PruneAsync(string protocol, DateTimeOffset updatedBefore, CancellationToken cancellationToken);
}
