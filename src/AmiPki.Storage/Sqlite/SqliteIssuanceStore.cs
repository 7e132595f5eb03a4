using AmiPki.Core.Audit;
using AmiPki.Core.Storage;
using AmiPki.Storage.Rows;
using AmiPki.Storage.Sqlite.Writing;

namespace AmiPki.Storage.Sqlite;

/// <summary>The issuance pipeline's writes (steps 6 and 8), group-committed through the writer.</summary>
internal sealed class SqliteIssuanceStore : IIssuanceStore
{
    private const string InsertIntent = """
        INSERT INTO certificates (issuer, serial_hex, state, profile, subject, not_before, not_after, requester, protocol,
                                  created_at, system_title, dcu, manufacturer_lot, device_id, tbs_der)
        VALUES (?1, ?2, 'signing', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
        ON CONFLICT (issuer, serial_hex) DO NOTHING;
        """;
    private const string MarkIssued = """
        UPDATE certificates SET state = 'issued', der = ?3, sha256_hex = ?4
        WHERE issuer = ?1 AND serial_hex = ?2 AND state = 'signing';
        """;
    private const string MarkFailed = """
        UPDATE certificates SET state = 'failed'
        WHERE issuer = ?1 AND serial_hex = ?2 AND state = 'signing';
        """;

    // Matches the partial index ix_certificates_in_flight, so only the serials in flight are read.
    private const string MarkOutcomeUnknown = """
        UPDATE certificates SET outcome_unknown_at = @found_at
        WHERE state = 'signing' AND outcome_unknown_at IS NULL AND created_at < @reserved_before
        """ + "\nRETURNING " + IssuanceIntentRows.Columns + ";";

    private readonly SqliteWriter _writer;

    public SqliteIssuanceStore(SqliteWriter writer) => _writer = writer;

    public Task<bool> TryReserveAsync(IssuanceIntent intent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(intent);
        // Converted here, on the caller's thread, to keep the single writer thread's work to the SQL itself.
        var notBefore = SqliteTime.ToText(intent.NotBefore);
        var notAfter = SqliteTime.ToText(intent.NotAfter);
        var createdAt = SqliteTime.ToText(intent.CreatedAt);
        return _writer.EnqueueAsync(context => context.Statement(InsertIntent)
            .Bind(1, intent.Issuer)
            .Bind(2, intent.SerialHex)
            .Bind(3, intent.Profile)
            .Bind(4, intent.Subject)
            .Bind(5, notBefore)
            .Bind(6, notAfter)
            .Bind(7, intent.Requester)
            .Bind(8, intent.Protocol)
            .Bind(9, createdAt)
            .Bind(10, intent.SystemTitle)
            .Bind(11, intent.Dcu)
            .Bind(12, intent.ManufacturerLot)
            .Bind(13, intent.DeviceId)
            .Bind(14, intent.TbsDer)
            .Execute() == 1, cancellationToken);
    }

    public Task CompleteAsync(string issuer, string serialHex, byte[] der, string sha256Hex, AuditEvent audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(serialHex);
        ArgumentNullException.ThrowIfNull(der);
        ArgumentNullException.ThrowIfNull(sha256Hex);
        ArgumentNullException.ThrowIfNull(audit);
        return _writer.EnqueueAsync(context =>
        {
            var changed = context.Statement(MarkIssued).Bind(1, issuer).Bind(2, serialHex).Bind(3, der).Bind(4, sha256Hex).Execute();
            if (changed != 1)
            {
                throw new InvalidOperationException($"serial {serialHex} of issuer {issuer} is not reserved in state Signing");
            }
            return context.Audit(audit);
        }, cancellationToken);
    }

    public Task AbandonAsync(string issuer, string serialHex, AuditEvent audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(serialHex);
        ArgumentNullException.ThrowIfNull(audit);
        return _writer.EnqueueAsync(context =>
        {
            var changed = context.Statement(MarkFailed).Bind(1, issuer).Bind(2, serialHex).Execute();
            if (changed != 1)
            {
                throw new InvalidOperationException($"serial {serialHex} of issuer {issuer} is not reserved in state Signing");
            }
            return context.Audit(audit);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<IssuanceIntent>> MarkOutcomeUnknownAsync(DateTimeOffset reservedBefore, Func<IssuanceIntent, AuditEvent> audit,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audit);
        var before = SqliteTime.ToText(reservedBefore);
        return _writer.EnqueueAsync<IReadOnlyList<IssuanceIntent>>(context =>
        {
            var intents = new List<IssuanceIntent>();
            // RETURNING rows are all produced by the first step, so the audit appends below run after the update is done.
            using (var row = context.Command(MarkOutcomeUnknown).Set("@found_at", SqliteTime.ToText(context.Time.GetUtcNow()))
                       .Set("@reserved_before", before).ExecuteReader())
            {
                while (row.Read())
                {
                    intents.Add(IssuanceIntentRows.Read(row));
                }
            }
            // One entry per serial, in serial order so the chain reads the same whatever order the index gave.
            intents.Sort((a, b) => string.CompareOrdinal(a.Issuer + " " + a.SerialHex, b.Issuer + " " + b.SerialHex));
            foreach (var intent in intents)
            {
                context.Audit(audit(intent));
            }
            return intents;
        }, cancellationToken);
    }
}
