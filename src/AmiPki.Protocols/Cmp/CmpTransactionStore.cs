using System.Collections.Concurrent;

namespace AmiPki.Protocols.Cmp;

/// <summary>
/// Transactions in memory, keyed by authenticated sender and transactionID. A transactionID is accepted once per
/// sender: a second ir/cr/kur/rr/genm with it is a replay (transactionIdInUse, RFC 4210 §5.2.3) for the replay window.
/// This node only: a load balancer must keep a DCU's transaction on one node (RFC 6712 §3.5 connection reuse aside).
/// </summary>
public sealed class CmpTransactionStore
{
    private readonly ConcurrentDictionary<string, CmpTransaction> _transactions = new(StringComparer.Ordinal);
    private readonly int _capacity;

    /// <summary>
    /// Kept beside the dictionary: ConcurrentDictionary.Count takes every lock of the dictionary, and asked on each
    /// Begin it made concurrent requests queue behind one another.
    /// </summary>
    private int _count;

    public CmpTransactionStore(int capacity)
    {
        _capacity = capacity;
    }

    public int Count => Volatile.Read(ref _count);

    public static string KeyOf(string identity, ReadOnlySpan<byte> transactionId) => $"{identity}|{Convert.ToHexString(transactionId)}";

    /// <summary>Opens a transaction; throws transactionIdInUse if the id was seen, systemUnavail when full.</summary>
    public CmpTransaction Begin(string identity, ReadOnlySpan<byte> transactionId, DateTimeOffset now)
    {
        if (Count >= _capacity)
        {
            throw new CmpRejection(PkiFailureInfo.SystemUnavail, "too many open CMP transactions; retry later");
        }
        var transaction = new CmpTransaction(KeyOf(identity, transactionId), identity, now);
        if (!_transactions.TryAdd(transaction.Key, transaction))
        {
            throw new CmpRejection(PkiFailureInfo.TransactionIdInUse, "transactionID already used (RFC 4210 §5.1.1)");
        }
        Interlocked.Increment(ref _count);
        return transaction;
    }

    public CmpTransaction? Find(string identity, ReadOnlySpan<byte> transactionId) => _transactions.GetValueOrDefault(KeyOf(identity, transactionId));

    /// <summary>
    /// Forgets finished transactions older than <paramref name="replayWindow"/> and returns those whose certificate
    /// was not confirmed by its deadline, already marked done (the caller revokes them).
    /// </summary>
    public IReadOnlyList<CmpTransaction> Sweep(DateTimeOffset now, TimeSpan replayWindow)
    {
        var expired = new List<CmpTransaction>();
        foreach (var (key, transaction) in _transactions)
        {
            lock (transaction.Lock)
            {
                if (transaction.State == CmpTransactionState.AwaitingConfirmation && transaction.ConfirmBy <= now)
                {
                    transaction.State = CmpTransactionState.Done;
                    transaction.FinishedAt = now;
                    expired.Add(transaction);
                }
                else if (transaction.State == CmpTransactionState.Done && transaction.FinishedAt + replayWindow <= now
                         || transaction.State is CmpTransactionState.Open or CmpTransactionState.Waiting && transaction.CreatedAt + replayWindow <= now)
                {
                    Forget(key);
                }
            }
        }
        return expired;
    }

    private void Forget(string key)
    {
        if (_transactions.TryRemove(key, out _))
        {
            Interlocked.Decrement(ref _count);
        }
    }
}
