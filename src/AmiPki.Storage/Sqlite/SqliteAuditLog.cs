using System.Runtime.CompilerServices;
using AmiPki.Core.Audit;
using AmiPki.Storage.Rows;
using AmiPki.Storage.Sqlite.Writing;
using Microsoft.Data.Sqlite;

namespace AmiPki.Storage.Sqlite;

/// <summary>
/// The audit log: appends go through the writer (which numbers and chains them, see <see cref="AuditChainAppender"/>),
/// reads stream from a read connection.
/// </summary>
public sealed class SqliteAuditLog : IAuditStore
{
    private const string SelectHeads = "SELECT node, seq, hash FROM audit_heads ORDER BY node;";

    private readonly SqliteWriter _writer;
    private readonly SqliteReadPool _reads;

    internal SqliteAuditLog(SqliteWriter writer, SqliteReadPool reads)
    {
        _writer = writer;
        _reads = reads;
    }

    public Task AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        return _writer.EnqueueAsync(context => context.Audit(auditEvent), cancellationToken);
    }

    public async IAsyncEnumerable<AuditEntry> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var lease = _reads.Rent();
        await foreach (var entry in ReadEntries(lease.Connection.Connection, cancellationToken).ConfigureAwait(false))
        {
            yield return entry;
        }
    }

    public Task<IReadOnlyCollection<AuditHead>> ReadHeadsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var lease = _reads.Rent();
        return Task.FromResult(ReadHeads(lease.Connection.Connection));
    }

    /// <summary>
    /// Verifies every node's chain against its head, both read from one snapshot. Reading the heads and the entries
    /// separately (<see cref="ReadHeadsAsync"/>, then <see cref="ReadAllAsync"/>) on a live server can see entries
    /// appended in between and report them as a mismatch with the head; this cannot.
    /// </summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        using var lease = _reads.Rent();
        var connection = lease.Connection.Connection;
        using var transaction = connection.BeginTransaction(deferred: true);
        var heads = ReadHeads(connection, transaction);
        var result = await AuditChainVerifier.VerifyAsync(ReadEntries(connection, cancellationToken, transaction), heads, cancellationToken)
            .ConfigureAwait(false);
        transaction.Commit();
        return result;
    }

    private static IReadOnlyCollection<AuditHead> ReadHeads(SqliteConnection connection, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = SelectHeads;
        using var row = command.ExecuteReader();
        return row.ToList(AuditRows.ReadHead);
    }

    private static async IAsyncEnumerable<AuditEntry> ReadEntries(SqliteConnection connection,
        [EnumeratorCancellation] CancellationToken cancellationToken, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = AuditRows.SelectEntries;
        using var row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await row.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return AuditRows.ReadEntry(row);
        }
    }
}
