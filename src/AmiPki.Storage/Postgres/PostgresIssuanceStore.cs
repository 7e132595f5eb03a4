using AmiPki.Core.Audit;
using AmiPki.Core.Storage;
using AmiPki.Storage.Postgres.Writing;
using AmiPki.Storage.Rows;
using AmiPki.Storage.Sqlite;
using Npgsql;

namespace AmiPki.Storage.Postgres;

/// <summary>
/// The issuance pipeline's writes (steps 6 and 8), group-committed through this node's writer; each is one statement, so
/// a batch's reservations and completions reach the server in one round trip.
/// </summary>
internal sealed class PostgresIssuanceStore : IIssuanceStore
{
    // The primary key (issuer, serial_key) decides between nodes: a serial reserved by another node, even one whose
    // transaction has not committed yet (this INSERT then waits for it), is "not reserved" here, and the core draws a
    // new serial (DESIGN.md, issuance step 6).
    private const string InsertIntent = """
        INSERT INTO certificates (issuer, serial_hex, state, profile, subject, not_before, not_after, requester, protocol,
                                  created_at, system_title, dcu, manufacturer_lot, device_id, reserved_by, tbs_der)
        VALUES ($1, $2, 'signing', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
        ON CONFLICT DO NOTHING;
        """;
    private const string MarkIssued = """
        UPDATE certificates SET state = 'issued', der = $3, sha256_hex = $4
        WHERE issuer = $1 AND serial_key = lower($2) AND state = 'signing';
        """;
    private const string MarkFailed = """
        UPDATE certificates SET state = 'failed'
        WHERE issuer = $1 AND serial_key = lower($2) AND state = 'signing';
        """;

    // Matches the partial index ix_certificates_in_flight, so only the serials in flight are read. Only this node's own
    // intents: on a shared database the others' in-flight serials belong to processes that are alive (a node is restarted
    // under its own name, so its orphans are found by its next start).
    private const string MarkOutcomeUnknown = """
        UPDATE certificates SET outcome_unknown_at = $1
        WHERE state = 'signing' AND outcome_unknown_at IS NULL AND created_at < $2 AND reserved_by = $3
        """ + "\nRETURNING " + IssuanceIntentRows.Columns + ";";

    private readonly PostgresWriter _writer;
    private readonly string _node;

    /// <param name="node">This node's name, recorded with each reservation it makes.</param>
    public PostgresIssuanceStore(PostgresWriter writer, string node)
    {
        _writer = writer;
        _node = node;
    }

    public Task<bool> TryReserveAsync(IssuanceIntent intent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(intent);
        // Converted here, on the caller's thread, to keep the writer's loop to the SQL itself.
        var notBefore = SqliteTime.ToText(intent.NotBefore);
        var notAfter = SqliteTime.ToText(intent.NotAfter);
        var createdAt = SqliteTime.ToText(intent.CreatedAt);
        return _writer.EnqueueStatementAsync(
            () => new NpgsqlBatchCommand(InsertIntent)
                .Text(intent.Issuer)
                .Text(intent.SerialHex)
                .Text(intent.Profile)
                .Text(intent.Subject)
                .Text(notBefore)
                .Text(notAfter)
                .Text(intent.Requester)
                .Text(intent.Protocol)
                .Text(createdAt)
                .Text(intent.SystemTitle)
                .Text(intent.Dcu)
                .Text(intent.ManufacturerLot)
                .Text(intent.DeviceId)
                .Text(_node)
                .Bytes(intent.TbsDer),
            (_, rows) => Task.FromResult(rows == 1), cancellationToken);
    }

    public Task CompleteAsync(string issuer, string serialHex, byte[] der, string sha256Hex, AuditEvent audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(serialHex);
        ArgumentNullException.ThrowIfNull(der);
        ArgumentNullException.ThrowIfNull(sha256Hex);
        ArgumentNullException.ThrowIfNull(audit);
        return _writer.EnqueueStatementAsync(
            () => new NpgsqlBatchCommand(MarkIssued).Text(issuer).Text(serialHex).Bytes(der).Text(sha256Hex),
            (context, rows) => rows == 1
                ? context.AuditAsync(audit)
                : throw new InvalidOperationException($"serial {serialHex} of issuer {issuer} is not reserved in state Signing"),
            cancellationToken);
    }

    public Task AbandonAsync(string issuer, string serialHex, AuditEvent audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(serialHex);
        ArgumentNullException.ThrowIfNull(audit);
        return _writer.EnqueueStatementAsync(
            () => new NpgsqlBatchCommand(MarkFailed).Text(issuer).Text(serialHex),
            (context, rows) => rows == 1
                ? context.AuditAsync(audit)
                : throw new InvalidOperationException($"serial {serialHex} of issuer {issuer} is not reserved in state Signing"),
            cancellationToken);
    }

    public Task<IReadOnlyList<IssuanceIntent>> MarkOutcomeUnknownAsync(DateTimeOffset reservedBefore, Func<IssuanceIntent, AuditEvent> audit,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audit);
        var before = SqliteTime.ToText(reservedBefore);
        return _writer.EnqueueAsync<IReadOnlyList<IssuanceIntent>>(async context =>
        {
            var intents = new List<IssuanceIntent>();
            await using (var command = context.Command(MarkOutcomeUnknown).Text(SqliteTime.ToText(context.Time.GetUtcNow())).Text(before).Text(_node))
            await using (var row = await command.ExecuteReaderAsync().ConfigureAwait(false))
            {
                while (await row.ReadAsync().ConfigureAwait(false))
                {
                    intents.Add(IssuanceIntentRows.Read(row));
                }
            }
            // One entry per serial, in serial order so the chain reads the same whatever order the update gave.
            intents.Sort((a, b) => string.CompareOrdinal(a.Issuer + " " + a.SerialHex, b.Issuer + " " + b.SerialHex));
            foreach (var intent in intents)
            {
                await context.AuditAsync(audit(intent)).ConfigureAwait(false);
            }
            return intents;
        }, cancellationToken);
    }
}
