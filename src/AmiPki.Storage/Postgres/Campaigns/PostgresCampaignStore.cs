using AmiPki.Core.Campaigns;
using AmiPki.Core.Storage;
using AmiPki.Storage.Postgres.Writing;
using AmiPki.Storage.Rows;
using AmiPki.Storage.Sqlite;
using Npgsql;

namespace AmiPki.Storage.Postgres.Campaigns;

/// <summary>
/// Renewal campaign entries (table <c>renewal_campaign_entries</c>): writes through this node's group-committing writer,
/// reads on pooled connections. The same statements as <see cref="Sqlite.Campaigns.SqliteCampaignStore"/> in PostgreSQL's
/// dialect; serials compare through <c>serial_key</c> (lower case), as in <c>certificates</c>.
/// </summary>
internal sealed class PostgresCampaignStore : ICampaignStore
{
    private const string SelectFrom = "SELECT " + CampaignEntryRows.Columns + " FROM renewal_campaign_entries";
    private const string Insert = """
        INSERT INTO renewal_campaign_entries (issuer, serial_hex, scheduled_at, state, attempts, next_attempt_at, last_error, notified_at,
            renewed_at, renewed_by_serial, profile, subject, system_title, dcu, not_after, certificate_created_at, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
        ON CONFLICT (issuer, serial_key) DO NOTHING;
        """;
    private const string Update = """
        UPDATE renewal_campaign_entries SET scheduled_at = $3, state = $4, attempts = $5, next_attempt_at = $6,
            last_error = $7, notified_at = $8, renewed_at = $9, renewed_by_serial = $10
        WHERE issuer = $1 AND serial_key = lower($2);
        """;
    private const string List = SelectFrom + """

        WHERE ($1::text IS NULL OR dcu = $1) AND ($2::text IS NULL OR state = $2) AND ($3::text IS NULL OR profile = $3)
          AND ($4::text IS NULL OR scheduled_at <= $4)
        ORDER BY dcu, scheduled_at, issuer, serial_key LIMIT $5 OFFSET $6;
        """;
    private const string Summary = """
        SELECT dcu,
               COUNT(*) FILTER (WHERE state = 'due'), COUNT(*) FILTER (WHERE state = 'notified'),
               COUNT(*) FILTER (WHERE state = 'renewed'), COUNT(*) FILTER (WHERE state = 'overdue'),
               MIN(scheduled_at), MAX(scheduled_at)
        FROM renewal_campaign_entries GROUP BY dcu ORDER BY dcu;
        """;

    // Open entries whose subject got a newer certificate under the same profile (ix_certificates_subject finds them).
    private const string Successor = """
        FROM certificates c
        WHERE c.subject = e.subject AND c.profile = e.profile AND c.state = 'issued'
          AND c.created_at > e.certificate_created_at AND c.serial_key <> e.serial_key
          AND (e.system_title IS NULL OR c.system_title = e.system_title)
        """;
    private const string MarkRenewed = $"""
        UPDATE renewal_campaign_entries e SET state = 'renewed',
            renewed_at = (SELECT MIN(c.created_at) {Successor}),
            renewed_by_serial = (SELECT c.serial_hex {Successor} ORDER BY c.created_at LIMIT 1)
        WHERE e.state IN ('due', 'notified', 'overdue') AND EXISTS (SELECT 1 {Successor});
        """;
    private const string MarkOverdue = """
        UPDATE renewal_campaign_entries SET state = 'overdue'
        WHERE state IN ('due', 'notified') AND (scheduled_at <= $1 OR not_after <= $2);
        """;
    private const string Unscheduled = PostgresCertificateRows.SelectFrom + """

        WHERE c.profile = $1 AND c.state = 'issued' AND c.protocol <> 'internal' AND r.serial_key IS NULL
          AND c.not_after > $2 AND c.not_after < $3
          AND ($4::text IS NULL OR (c.not_after, c.issuer, c.serial_key) > ($4::text, $5::text, lower($6::text)))
          AND NOT EXISTS (SELECT 1 FROM renewal_campaign_entries e WHERE e.issuer = c.issuer AND e.serial_key = c.serial_key)
        ORDER BY c.not_after, c.issuer, c.serial_key LIMIT $7;
        """;

    private readonly PostgresWriter _writer;
    private readonly NpgsqlDataSource _dataSource;

    public PostgresCampaignStore(PostgresWriter writer, NpgsqlDataSource dataSource)
    {
        _writer = writer;
        _dataSource = dataSource;
    }

    public Task<int> AddAsync(IReadOnlyList<CampaignEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return entries.Count == 0 ? Task.FromResult(0) : _writer.EnqueueAsync(async context =>
        {
            // One round trip for the whole list (a campaign pass adds hundreds at a time).
            await using var batch = new NpgsqlBatch(context.Connection, context.Transaction);
            foreach (var entry in entries)
            {
                batch.BatchCommands.Add(Bind(new NpgsqlBatchCommand(Insert), entry)
                    .Text(entry.Profile)
                    .Text(entry.Subject)
                    .Text(entry.SystemTitle)
                    .Text(entry.Dcu)
                    .Text(SqliteTime.ToText(entry.NotAfter))
                    .Text(SqliteTime.ToText(entry.CertificateCreatedAt))
                    .Text(SqliteTime.ToText(entry.CreatedAt)));
            }
            // The batch's total of rows inserted: a conflicting entry inserts none.
            return await batch.ExecuteNonQueryAsync().ConfigureAwait(false);
        }, cancellationToken);
    }

    public Task UpdateAsync(IReadOnlyList<CampaignEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return entries.Count == 0 ? Task.CompletedTask : _writer.EnqueueAsync(async context =>
        {
            await using var batch = new NpgsqlBatch(context.Connection, context.Transaction);
            foreach (var entry in entries)
            {
                batch.BatchCommands.Add(Bind(new NpgsqlBatchCommand(Update), entry));
            }
            return await batch.ExecuteNonQueryAsync().ConfigureAwait(false);
        }, cancellationToken);
    }

    public async Task<bool> ContainsAsync(string issuer, string serialHex, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(serialHex);
        await using var command = _dataSource.CreateCommand("SELECT 1 FROM renewal_campaign_entries WHERE issuer = $1 AND serial_key = lower($2);")
            .Text(issuer).Text(serialHex);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }

    public async Task<IReadOnlyList<CampaignEntry>> ListAsync(CampaignQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Limit);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Offset);
        await using var command = _dataSource.CreateCommand(List)
            .Text(query.Dcu)
            .Text(query.State is { } state ? CampaignEntryRows.StateText(state) : null)
            .Text(query.Profile)
            .Text(SqliteTime.ToText(query.ScheduledBefore))
            .Int32(query.Limit)
            .Int32(query.Offset);
        await using var row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await row.ToListAsync(CampaignEntryRows.Read, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> LastScheduledByDcuAsync(CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("SELECT dcu, MAX(scheduled_at) FROM renewal_campaign_entries GROUP BY dcu;");
        await using var row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var last = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        while (await row.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            last[row.GetString(0)] = SqliteTime.FromText(row.GetString(1));
        }
        return last;
    }

    public async Task<IReadOnlyList<CampaignDcuSummary>> SummarizeByDcuAsync(CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(Summary);
        await using var row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await row.ToListAsync(CampaignEntryRows.ReadSummary, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<CertificateRecord>> ListUnscheduledAsync(string profile, DateTimeOffset notAfterFrom, DateTimeOffset notAfterBefore,
        CertificateRecord? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        await using var command = _dataSource.CreateCommand(Unscheduled)
            .Text(profile)
            .Text(SqliteTime.ToText(notAfterFrom))
            .Text(SqliteTime.ToText(notAfterBefore))
            .Text(SqliteTime.ToText(after?.NotAfter))
            .Text(after?.Issuer)
            .Text(after?.SerialHex)
            .Int32(limit);
        await using var row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await row.ToListAsync(CertificateRows.Read, cancellationToken).ConfigureAwait(false);
    }

    public Task<int> MarkRenewedAsync(CancellationToken cancellationToken) =>
        _writer.EnqueueAsync(async context =>
        {
            await using var command = context.Command(MarkRenewed);
            return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }, cancellationToken);

    public Task<int> MarkOverdueAsync(DateTimeOffset scheduledBefore, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var before = SqliteTime.ToText(scheduledBefore);
        var nowText = SqliteTime.ToText(now);
        return _writer.EnqueueAsync(async context =>
        {
            await using var command = context.Command(MarkOverdue).Text(before).Text(nowText);
            return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }, cancellationToken);
    }

    /// <summary>Parameters $1–$10: the key and what <see cref="UpdateAsync"/> writes back.</summary>
    private static NpgsqlBatchCommand Bind(NpgsqlBatchCommand command, CampaignEntry entry) => command
        .Text(entry.Issuer)
        .Text(entry.SerialHex)
        .Text(SqliteTime.ToText(entry.ScheduledAt))
        .Text(CampaignEntryRows.StateText(entry.State))
        .Int32(entry.Attempts)
        .Text(SqliteTime.ToText(entry.NextAttemptAt))
        .Text(entry.LastError)
        .Text(SqliteTime.ToText(entry.NotifiedAt))
        .Text(SqliteTime.ToText(entry.RenewedAt))
        .Text(entry.RenewedBySerial);
}
