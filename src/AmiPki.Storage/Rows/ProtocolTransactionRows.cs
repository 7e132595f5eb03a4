using System.Data.Common;
using AmiPki.Core.Transactions;

namespace AmiPki.Storage.Rows;

/// <summary>
/// A protocol transaction as both dialects store it (table <c>protocol_transactions</c>, migration 0006): its columns and
/// their mapping to <see cref="ProtocolTransaction"/>, and the checks every write makes before it reaches the database.
/// </summary>
internal static class ProtocolTransactionRows
{
    /// <summary>The largest payload stored (1 MiB): a protocol's transaction state, not a file store.</summary>
    public const int MaxPayloadBytes = 1 << 20;

    /// <summary>The most rows one <c>ListDueAsync</c> returns, whatever limit is asked for.</summary>
    public const int MaxListLimit = 100_000;

    /// <summary>The SELECT list <see cref="Read"/> maps, in its order.</summary>
    public const string Columns = "protocol, key, state, payload, created_at, updated_at, due_at, version";

    /// <summary>Maps one row of <see cref="Columns"/>.</summary>
    public static ProtocolTransaction Read(DbDataReader row) => new(row.GetString(0), row.GetString(1), row.GetString(2), row.Bytes(3),
        row.Time(4), row.Time(5), row.NullableTime(6), row.GetInt64(7));

    /// <summary>Refuses what no write may store: a missing protocol, key or state, or a payload above <see cref="MaxPayloadBytes"/>.</summary>
    public static void Validate(ProtocolTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentException.ThrowIfNullOrEmpty(transaction.Protocol, nameof(transaction));
        ArgumentException.ThrowIfNullOrEmpty(transaction.Key, nameof(transaction));
        ArgumentException.ThrowIfNullOrEmpty(transaction.State, nameof(transaction));
        if (transaction.Payload is null)
        {
            throw new ArgumentException("a protocol transaction needs a payload (empty is allowed)", nameof(transaction));
        }
        if (transaction.Payload.Length > MaxPayloadBytes)
        {
            throw new ArgumentException(
                $"the {transaction.Protocol} transaction's payload is {transaction.Payload.Length} bytes; at most {MaxPayloadBytes} are stored",
                nameof(transaction));
        }
    }

    /// <summary>Checks a new transaction: <see cref="Validate"/>, and its version is 1.</summary>
    public static void ValidateNew(ProtocolTransaction transaction)
    {
        Validate(transaction);
        if (transaction.Version != 1)
        {
            throw new ArgumentException($"a new protocol transaction has version 1, not {transaction.Version}", nameof(transaction));
        }
    }

    /// <summary>Checks a list's arguments; returns the limit to use (0: nothing to read).</summary>
    public static int ListLimit(string protocol, string state, int limit)
    {
        ArgumentException.ThrowIfNullOrEmpty(protocol);
        ArgumentException.ThrowIfNullOrEmpty(state);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return Math.Min(limit, MaxListLimit);
    }
}
