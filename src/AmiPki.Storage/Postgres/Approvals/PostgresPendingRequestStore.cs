using AmiPki.Core.Approvals;
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
    private const string Columns = """
        SELECT id AS Id, protocol AS Protocol, profile AS Profile, requester AS Requester, subject AS Subject, csr_der AS CsrDer,
               renewing_der AS RenewingDer, device_detail AS DeviceDetail, state AS State, created_at AS CreatedAt,
               decided_at AS DecidedAt, decided_by AS DecidedBy, reason AS Reason, issuer AS Issuer, serial_hex AS SerialHex,
               certificate_der AS CertificateDer
        FROM pending_requests
        """;

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
            """, new
        {
            request.Id,
            request.Protocol,
            request.Profile,
            request.Requester,
            request.Subject,
            request.CsrDer,
            request.RenewingDer,
            request.DeviceDetail,
            CreatedAt = SqliteTime.ToText(request.CreatedAt),
        }, cancellationToken: cancellationToken)).ConfigureAwait(false);
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
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            Columns + " WHERE @state::text IS NULL OR state = @state::text ORDER BY created_at, id LIMIT @limit;",
            new { state = state is { } s ? StateText(s) : null, limit = Math.Clamp(limit, 1, 100_000) }, cancellationToken: cancellationToken))
            .ConfigureAwait(false);
        return rows.Select(r => r.ToRecord()).ToList();
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

    private static async Task<PendingRequest?> FindAsync(NpgsqlConnection connection, string id, CancellationToken cancellationToken) =>
        (await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(Columns + " WHERE id = @id;", new { id },
            cancellationToken: cancellationToken)).ConfigureAwait(false))?.ToRecord();

    private static string StateText(PendingRequestState state) => state switch
    {
        PendingRequestState.Pending => "pending",
        PendingRequestState.Approved => "approved",
        PendingRequestState.Rejected => "rejected",
        PendingRequestState.Issued => "issued",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    private static PendingRequestState ParseState(string text) => text switch
    {
        "pending" => PendingRequestState.Pending,
        "approved" => PendingRequestState.Approved,
        "rejected" => PendingRequestState.Rejected,
        "issued" => PendingRequestState.Issued,
        _ => throw new InvalidOperationException($"unknown pending request state '{text}'"),
    };

    /// <summary>A row as Dapper reads it; times are text (<see cref="SqliteTime"/>).</summary>
    private sealed class Row
    {
        public string Id { get; set; } = "";
        public string Protocol { get; set; } = "";
        public string Profile { get; set; } = "";
        public string Requester { get; set; } = "";
        public string Subject { get; set; } = "";
        public byte[] CsrDer { get; set; } = [];
        public byte[]? RenewingDer { get; set; }
        public string? DeviceDetail { get; set; }
        public string State { get; set; } = "";
        public string CreatedAt { get; set; } = "";
        public string? DecidedAt { get; set; }
        public string? DecidedBy { get; set; }
        public string? Reason { get; set; }
        public string? Issuer { get; set; }
        public string? SerialHex { get; set; }
        public byte[]? CertificateDer { get; set; }

        public PendingRequest ToRecord() => new(Id, Protocol, Profile, Requester, Subject, CsrDer, RenewingDer, DeviceDetail, ParseState(State),
            SqliteTime.FromText(CreatedAt), SqliteTime.FromNullableText(DecidedAt), DecidedBy, Reason, Issuer, SerialHex, CertificateDer);
    }
}
