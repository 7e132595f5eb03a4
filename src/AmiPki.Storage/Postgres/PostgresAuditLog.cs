using System.Data;
using System.Runtime.CompilerServices;
using AmiPki.Core.Audit;
using AmiPki.Storage.Postgres.Writing;
using AmiPki.Storage.Rows;
using Npgsql;

namespace AmiPki.Storage.Postgres;

/// <summary>
/// The audit log: appends go through this node's writer (which numbers and chains them in this node's own chain, see
/// <see cref="PostgresAuditChain"/>); reads stream every node's entries from a pooled connection.
/// </summary>
internal sealed class PostgresAuditLog : IAuditStore
{
    // A head at 0 is a node whose first entries were never committed: it has nothing to check.
    private const string SelectHeads = "SELECT node, seq, hash FROM audit_heads WHERE seq > 0 ORDER BY node;";

    private readonly PostgresWriter _writer;
    private readonly NpgsqlDataSource _dataSource;

    public PostgresAuditLog(PostgresWriter writer, NpgsqlDataSource dataSource)
    {
        _writer = writer;
        _dataSource = dataSource;
    }

    public Task AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        return _writer.EnqueueAsync(context => context.AuditAsync(auditEvent), cancellationToken);
    }

    public async IAsyncEnumerable<AuditEntry> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var entry in ReadEntries(connection, null, cancellationToken).ConfigureAwait(false))
        {
            yield return entry;
        }
    }

    public async Task<IReadOnlyCollection<AuditHead>> ReadHeadsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ReadHeadsAsync(connection, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Verifies every node's chain against its head, both read in one REPEATABLE READ transaction (one snapshot), so
    /// entries other nodes commit meanwhile are neither half-seen nor taken for a truncation.
    /// </summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        var heads = await ReadHeadsAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var result = await AuditChainVerifier.VerifyAsync(ReadEntries(connection, transaction, cancellationToken), heads, cancellationToken)
            .ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    private static async Task<IReadOnlyCollection<AuditHead>> ReadHeadsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(SelectHeads, connection, transaction);
        await using var row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await row.ToListAsync(AuditRows.ReadHead, cancellationToken).ConfigureAwait(false);
    }

    private static async IAsyncEnumerable<AuditEntry> ReadEntries(NpgsqlConnection connection, NpgsqlTransaction? transaction,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(AuditRows.SelectEntries, connection, transaction);
        await using var row = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false);
        while (await row.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return AuditRows.ReadEntry(row);
        }
    }
}
