using AmiPki.Core.Transactions;
using AmiPki.Storage.Rows;
using AmiPki.Storage.Sqlite.Writing;

namespace AmiPki.Storage.Sqlite.Transactions;

/// <summary>
/// Protocol transactions (table <c>protocol_transactions</c>, migration 0006). They sit on the enrollment hot path (a CMP
/// enrollment is one begin and one or two updates), so writes go through the group-committing writer like issuance: they
/// share its fsync with whatever else is being written, and each is durable when its task completes. Reads use the read
/// connections and see every write whose task has completed. The compare-and-set is in the statements: the writer runs one
/// at a time, and a second process's writer waits for SQLite's write lock, so an update with a stale version changes nothing.
/// </summary>
internal sealed class SqliteProtocolTransactionStore : IProtocolTransactionStore
{
    private const string SelectFrom = "SELECT " + ProtocolTransactionRows.Columns + " FROM protocol_transactions";
    private const string Insert = """
        INSERT INTO protocol_transactions (protocol, key, state, payload, created_at, updated_at, due_at, version)
        VALUES (@protocol, @key, @state, @payload, @created_at, @updated_at, @due_at, 1)
        ON CONFLICT (protocol, key) DO NOTHING;
        """;
    private const string Update = """
        UPDATE protocol_transactions SET state = @state, payload = @payload, updated_at = @updated_at, due_at = @due_at, version = version + 1
        WHERE protocol = @protocol AND key = @key AND version = @expected;
        """;
    private const string Find = SelectFrom + " WHERE protocol = @protocol AND key = @key;";
    // Times are fixed-width ISO-8601 text, so text order is time order; protocol_transactions_due serves it.
    private const string ListDue = SelectFrom + """
         WHERE protocol = @protocol AND state = @state AND due_at IS NOT NULL AND due_at <= @due_by
        ORDER BY due_at, key LIMIT @limit;
        """;
    private const string Prune = "DELETE FROM protocol_transactions WHERE protocol = @protocol AND updated_at < @updated_before;";

    private readonly SqliteWriter _writer;
    private readonly SqliteReadPool _reads;

    /// <param name="writer">The storage's writer, which the storage (not this store) closes; likewise <paramref name="reads"/>.</param>
    public SqliteProtocolTransactionStore(SqliteWriter writer, SqliteReadPool reads)
    {
        _writer = writer;
        _reads = reads;
    }

    public Task<bool> TryBeginAsync(ProtocolTransaction transaction, CancellationToken cancellationToken)
    {
        ProtocolTransactionRows.ValidateNew(transaction);
        return _writer.EnqueueAsync(context => context.Command(Insert)
            .Set("@protocol", transaction.Protocol)
            .Set("@key", transaction.Key)
            .Set("@state", transaction.State)
            .Set("@payload", transaction.Payload)
            .Set("@created_at", SqliteTime.ToText(transaction.CreatedAt))
            .Set("@updated_at", SqliteTime.ToText(transaction.UpdatedAt))
            .Set("@due_at", SqliteTime.ToText(transaction.DueAt))
            .ExecuteNonQuery() == 1, cancellationToken);
    }

    public Task<ProtocolTransaction?> FindAsync(string protocol, string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        using var lease = _reads.Rent();
        using var row = lease.Connection.Command(Find).Set("@protocol", protocol).Set("@key", key).ExecuteReader();
        return Task.FromResult(row.Read() ? ProtocolTransactionRows.Read(row) : null);
    }

    public Task<bool> TryUpdateAsync(ProtocolTransaction transaction, long expectedVersion, CancellationToken cancellationToken)
    {
        ProtocolTransactionRows.Validate(transaction);
        return _writer.EnqueueAsync(context => context.Command(Update)
            .Set("@protocol", transaction.Protocol)
            .Set("@key", transaction.Key)
            .Set("@state", transaction.State)
            .Set("@payload", transaction.Payload)
            .Set("@updated_at", SqliteTime.ToText(transaction.UpdatedAt))
            .Set("@due_at", SqliteTime.ToText(transaction.DueAt))
            .Set("@expected", expectedVersion)
            .ExecuteNonQuery() == 1, cancellationToken);
    }

    public Task<IReadOnlyList<ProtocolTransaction>> ListDueAsync(string protocol, string state, DateTimeOffset dueBy, int limit,
        CancellationToken cancellationToken)
    {
        limit = ProtocolTransactionRows.ListLimit(protocol, state, limit);
        cancellationToken.ThrowIfCancellationRequested();
        if (limit == 0)
        {
            return Task.FromResult<IReadOnlyList<ProtocolTransaction>>([]);
        }
        using var lease = _reads.Rent();
        using var row = lease.Connection.Command(ListDue)
            .Set("@protocol", protocol).Set("@state", state).Set("@due_by", SqliteTime.ToText(dueBy)).Set("@limit", limit)
            .ExecuteReader();
        return Task.FromResult<IReadOnlyList<ProtocolTransaction>>(row.ToList(ProtocolTransactionRows.Read));
    }

    public Task<int> PruneAsync(string protocol, DateTimeOffset updatedBefore, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(protocol);
        var before = SqliteTime.ToText(updatedBefore);
        return _writer.EnqueueAsync(context => context.Command(Prune).Set("@protocol", protocol).Set("@updated_before", before).ExecuteNonQuery(),
            cancellationToken);
    }
}
