using AmiPki.Core.Approvals;
using AmiPki.Storage.Rows;
using AmiPki.Storage.Sqlite;
using Dapper;
using Npgsql;

namespace AmiPki.Storage.Postgres.Approvals;

/// <summary>
/// Requests held for manual approval, in the shared PostgreSQL database: a request submitted on one node can be approved
/// from the CLI anywhere and issued by whichever node the client polls next. Manual approval is rare and slow by nature
/// (a human decides), so each write is its own short transaction on a pooled connection rather than going through the
/// issuance writer; the conditional UPDATEs make a decision or an issuance happen once however many nodes race.
/// </summary>
internal sealed class PostgresPendingRequestStore : IOwnedPendingRequestStore
{
    private const string SelectFrom = "SELECT " + PendingRequestRows.Columns + " FROM pending_requests";

    private readonly NpgsqlDataSource _dataSource;

    /// <param name="dataSource">The storage's pool, which the storage (not this store) closes.</param>
    public PostgresPendingRequestStore(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    public async Task<PendingRequest> SubmitAsync(PendingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO pending_requests (id, protocol, profile, requester, subject, csr_der, renewing_der, device_detail, state, created_at)
            VALUES (@Id, @Protocol, @Profile, @Requester, @Subject, @CsrDer, @RenewingDer, @DeviceDetail, 'pending', @CreatedAt)
            ON CONFLICT (id) DO NOTHING;
            """, PendingRequestRows.SubmitParameters(request), cancellationToken: cancellationToken)).ConfigureAwait(false);
        return await FindAsync(connection, request.Id, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"pending request {request.Id} vanished");
    }

    public async Task<PendingRequest?> FindAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await FindAsync(connection, id, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<PendingRequest>> ListAsync(PendingRequestState? state, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var rows = await connection.ExecuteReaderAsync(new CommandDefinition(
            SelectFrom + " WHERE @state::text IS NULL OR state = @state::text ORDER BY created_at, id LIMIT @limit;",
            new { state = state is { } s ? PendingRequestRows.StateText(s) : null, limit = Math.Clamp(limit, 1, 100_000) },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return await rows.ToListAsync(PendingRequestRows.Read, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> DecideAsync(string id, bool approve, string actor, string? reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(actor);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE pending_requests SET state = @state, decided_at = @at, decided_by = @actor, reason = @reason
            WHERE id = @id AND state = 'pending';
            """, new { id, state = approve ? "approved" : "rejected", at = SqliteTime.ToText(at), actor, reason },
            cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }

    public async Task<bool> MarkIssuedAsync(string id, string issuer, string serialHex, byte[] certificateDer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE pending_requests SET state = 'issued', issuer = @issuer, serial_hex = @serialHex, certificate_der = @certificateDer
            WHERE id = @id AND state = 'approved';
            """, new { id, issuer, serialHex, certificateDer }, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }

    /// <summary>Nothing to close: the connections belong to the storage's pool.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static async Task<PendingRequest?> FindAsync(NpgsqlConnection connection, string id, CancellationToken cancellationToken)
    {
        await using var row = await connection.ExecuteReaderAsync(new CommandDefinition(SelectFrom + " WHERE id = @id;",
            new { id }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return await row.FirstOrNullAsync(PendingRequestRows.Read, cancellationToken).ConfigureAwait(false);
    }
}
