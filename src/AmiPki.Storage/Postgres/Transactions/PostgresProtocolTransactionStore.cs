using AmiPki.Core.Transactions;
using AmiPki.Storage.Rows;
using AmiPki.Storage.Sqlite;
using Npgsql;

namespace AmiPki.Storage.Postgres.Transactions;

/// <summary>
/// Protocol transactions (table <c>protocol_transactions</c>, migration 0006) in the shared PostgreSQL database: a CMP
/// transaction begun on one node is answered by whichever node gets its next message. Each write is its own statement on
/// a pooled connection (autocommit: durable when it returns), as in <see cref="Approvals.PostgresPendingRequestStore"/>;
/// the conditional statements make each transition happen once however many nodes race: a second INSERT of the same key
/// waits for the first and does nothing, and an UPDATE on a stale version re-checks the row the winner left and matches none.
/// </summary>
internal sealed class PostgresProtocolTransactionStore : IProtocolTransactionStore
{
    private const string SelectFrom = "SELECT " + ProtocolTransactionRows.Columns + " FROM protocol_transactions";
    private const string Insert = """
        INSERT INTO protocol_transactions (protocol, key, state, payload, created_at, updated_at, due_at, version)
        VALUES ($1, $2, $3, $4, $5, $6, $7, 1)
        ON CONFLICT (protocol, key) DO NOTHING;
        """;
    private const string Update = """
        UPDATE protocol_transactions SET state = $3, payload = $4, updated_at = $5, due_at = $6, version = version + 1
        WHERE protocol = $1 AND key = $2 AND version = $7;
        """;
    private const string Find = SelectFrom + " WHERE protocol = $1 AND key = $2;";
    // Times are fixed-width ISO-8601 text in COLLATE "C", so text order is time order; protocol_transactions_due serves it.
    private const string ListDue = SelectFrom + """
         WHERE protocol = $1 AND state = $2 AND due_at IS NOT NULL AND due_at <= $3
        ORDER BY due_at, key LIMIT $4;
        """;
    private const string Prune = "DELETE FROM protocol_transactions WHERE protocol = $1 AND updated_at < $2;";

    private readonly NpgsqlDataSource _dataSource;

    /// <param name="dataSource">The storage's pool, which the storage (not this store) closes.</param>
    public PostgresProtocolTransactionStore(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    public async Task<bool> TryBeginAsync(ProtocolTransaction transaction, CancellationToken cancellationToken)
    {
        ProtocolTransactionRows.ValidateNew(transaction);
        await using var command = _dataSource.CreateCommand(Insert)
            .Text(transaction.Protocol).Text(transaction.Key).Text(transaction.State).Bytes(transaction.Payload)
            .Text(SqliteTime.ToText(transaction.CreatedAt)).Text(SqliteTime.ToText(transaction.UpdatedAt)).Text(SqliteTime.ToText(transaction.DueAt));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<ProtocolTransaction?> FindAsync(string protocol, string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(key);
        await using var command = _dataSource.CreateCommand(Find).Text(protocol).Text(key);
        await using var row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await row.FirstOrNullAsync(ProtocolTransactionRows.Read, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> TryUpdateAsync(ProtocolTransaction transaction, long expectedVersion, CancellationToken cancellationToken)
    {
        ProtocolTransactionRows.Validate(transaction);
        await using var command = _dataSource.CreateCommand(Update)
            .Text(transaction.Protocol).Text(transaction.Key).Text(transaction.State).Bytes(transaction.Payload)
            .Text(SqliteTime.ToText(transaction.UpdatedAt)).Text(SqliteTime.ToText(transaction.DueAt)).Int64(expectedVersion);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<IReadOnlyList<ProtocolTransaction>> ListDueAsync(string protocol, string state, DateTimeOffset dueBy, int limit,
        CancellationToken cancellationToken)
    {
        limit = ProtocolTransactionRows.ListLimit(protocol, state, limit);
        if (limit == 0)
        {
            return [];
        }
        await using var command = _dataSource.CreateCommand(ListDue).Text(protocol).Text(state).Text(SqliteTime.ToText(dueBy)).Int32(limit);
        await using var rows = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await rows.ToListAsync(ProtocolTransactionRows.Read, cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> PruneAsync(string protocol, DateTimeOffset updatedBefore, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(protocol);
        await using var command = _dataSource.CreateCommand(Prune).Text(protocol).Text(SqliteTime.ToText(updatedBefore));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
