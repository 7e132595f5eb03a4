using AmiPki.Core.Approvals;
using AmiPki.Storage.Rows;
using Dapper;
using Microsoft.Data.Sqlite;

namespace AmiPki.Storage.Sqlite.Approvals;

/// <summary>
/// Requests held for manual approval, in the instance's SQLite database. Manual approval is rare and slow by nature (a
/// human decides), so this store uses one connection of its own, serialised, instead of the issuance writer's group
/// commit: each write is one IMMEDIATE transaction, durable (synchronous=FULL) on return. The CLI and the server may
/// both hold one; SQLite's write lock and busy timeout order them.
/// </summary>
public sealed class SqlitePendingRequestStore : IOwnedPendingRequestStore
{
    private const string SelectFrom = "SELECT " + PendingRequestRows.Columns + " FROM pending_requests";

    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private SqlitePendingRequestStore(SqliteConnection connection)
    {
        _connection = connection;
    }

    /// <summary>Opens the store on the instance's database file (created and migrated by <see cref="SqliteStorage"/>).</summary>
    public static Task<SqlitePendingRequestStore> OpenAsync(string databasePath, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        return Task.Run(() =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            // The table comes from migration 0002, applied by SqliteStorage.OpenAsync before this store opens.
            return new SqlitePendingRequestStore(new SqliteConnections(databasePath).OpenWriter());
        }, cancellationToken);
    }

    public Task<PendingRequest> SubmitAsync(PendingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return WriteAsync(transaction =>
        {
            _connection.Execute("""
                INSERT INTO pending_requests (id, protocol, profile, requester, subject, csr_der, renewing_der, device_detail, state, created_at)
                VALUES (@Id, @Protocol, @Profile, @Requester, @Subject, @CsrDer, @RenewingDer, @DeviceDetail, 'pending', @CreatedAt)
                ON CONFLICT (id) DO NOTHING;
                """, PendingRequestRows.SubmitParameters(request), transaction);
            return Find(request.Id, transaction) ?? throw new InvalidOperationException($"pending request {request.Id} vanished");
        }, cancellationToken);
    }

    public async Task<PendingRequest?> FindAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Find(id, null);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<IReadOnlyList<PendingRequest>> ListAsync(PendingRequestState? state, int limit, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Query(SelectFrom + " WHERE @state IS NULL OR state = @state ORDER BY created_at, id LIMIT @limit;", null,
                ("@state", state is { } s ? PendingRequestRows.StateText(s) : null), ("@limit", Math.Clamp(limit, 1, 100_000)));
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task<bool> DecideAsync(string id, bool approve, string actor, string? reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(actor);
        return WriteAsync(transaction => _connection.Execute("""
            UPDATE pending_requests SET state = @state, decided_at = @at, decided_by = @actor, reason = @reason
            WHERE id = @id AND state = 'pending';
            """, new { id, state = approve ? "approved" : "rejected", at = SqliteTime.ToText(at), actor, reason }, transaction) == 1, cancellationToken);
    }

    public Task<bool> MarkIssuedAsync(string id, string issuer, string serialHex, byte[] certificateDer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        return WriteAsync(transaction => _connection.Execute("""
            UPDATE pending_requests SET state = 'issued', issuer = @issuer, serial_hex = @serialHex, certificate_der = @certificateDer
            WHERE id = @id AND state = 'approved';
            """, new { id, issuer, serialHex, certificateDer }, transaction) == 1, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private PendingRequest? Find(string id, SqliteTransaction? transaction) =>
        Query(SelectFrom + " WHERE id = @id;", transaction, ("@id", id)).SingleOrDefault();

    private List<PendingRequest> Query(string sql, SqliteTransaction? transaction, params (string Name, object? Value)[] parameters)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        using var row = command.ExecuteReader();
        return row.ToList(PendingRequestRows.Read);
    }

    /// <summary>Runs <paramref name="body"/> in one IMMEDIATE transaction on a pool thread (SQLite calls block, the fsync above all).</summary>
    private async Task<T> WriteAsync<T>(Func<SqliteTransaction, T> body, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Run(() =>
            {
                using var transaction = _connection.BeginTransaction(deferred: false);
                var result = body(transaction);
                transaction.Commit();
                return result;
            }, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }
}
