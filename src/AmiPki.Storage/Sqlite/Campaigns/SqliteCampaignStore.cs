using AmiPki.Core.Campaigns;
using AmiPki.Core.Storage;
using AmiPki.Storage.Rows;
using AmiPki.Storage.Sqlite.Writing;
using Dapper;

namespace AmiPki.Storage.Sqlite.Campaigns;

/// <summary>Renewal campaign entries (table <c>renewal_campaign_entries</c>): writes through the group-committing writer, reads on read connections.</summary>
internal sealed class SqliteCampaignStore : ICampaignStore
{
    private const string SelectFrom = "SELECT " + CampaignEntryRows.Columns + " FROM renewal_campaign_entries";
    private const string Insert = """
        INSERT INTO renewal_campaign_entries (issuer, serial_hex, profile, subject, system_title, dcu, not_after, certificate_created_at,
            scheduled_at, state, attempts, next_attempt_at, last_error, notified_at, renewed_at, renewed_by_serial, created_at)
        VALUES (@issuer, @serial, @profile, @subject, @system_title, @dcu, @not_after, @certificate_created_at,
            @scheduled_at, @state, @attempts, @next_attempt_at, @last_error, @notified_at, @renewed_at, @renewed_by_serial, @created_at)
        ON CONFLICT (issuer, serial_hex) DO NOTHING;
        """;
    private const string Update = """
        UPDATE renewal_campaign_entries SET state = @state, scheduled_at = @scheduled_at, attempts = @attempts, next_attempt_at = @next_attempt_at,
            last_error = @last_error, notified_at = @notified_at, renewed_at = @renewed_at, renewed_by_serial = @renewed_by_serial
        WHERE issuer = @issuer AND serial_hex = @serial;
        """;

    // Open entries whose subject got a newer certificate under the same profile (ix_certificates_subject finds them).
    private const string Successor = """
        FROM certificates c
        WHERE c.subject = renewal_campaign_entries.subject AND c.profile = renewal_campaign_entries.profile AND c.state = 'issued'
          AND c.created_at > renewal_campaign_entries.certificate_created_at AND c.serial_hex <> renewal_campaign_entries.serial_hex
          AND (renewal_campaign_entries.system_title IS NULL OR c.system_title = renewal_campaign_entries.system_title)
        """;
    private const string MarkRenewed = $"""
        UPDATE renewal_campaign_entries SET state = 'renewed',
            renewed_at = (SELECT MIN(c.created_at) {Successor}),
            renewed_by_serial = (SELECT c.serial_hex {Successor} ORDER BY c.created_at LIMIT 1)
        WHERE state IN ('due', 'notified', 'overdue') AND EXISTS (SELECT 1 {Successor});
        """;
    private const string MarkOverdue = """
        UPDATE renewal_campaign_entries SET state = 'overdue'
        WHERE state IN ('due', 'notified') AND (scheduled_at <= @scheduled_before OR not_after <= @now);
        """;
    private const string Unscheduled = CertificateRows.SelectFrom + """

        WHERE c.profile = @profile AND c.state = 'issued' AND c.protocol <> 'internal' AND r.serial_hex IS NULL
          AND c.not_after > @from AND c.not_after < @before
          AND (@after_not_after IS NULL OR (c.not_after, c.issuer, c.serial_hex) > (@after_not_after, @after_issuer, @after_serial))
          AND NOT EXISTS (SELECT 1 FROM renewal_campaign_entries e WHERE e.issuer = c.issuer AND e.serial_hex = c.serial_hex)
        ORDER BY c.not_after, c.issuer, c.serial_hex LIMIT @limit;
        """;

    private readonly SqliteWriter _writer;
    private readonly SqliteReadPool _reads;

    public SqliteCampaignStore(SqliteWriter writer, SqliteReadPool reads)
    {
        _writer = writer;
        _reads = reads;
    }

    public Task<int> AddAsync(IReadOnlyList<CampaignEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return entries.Count == 0 ? Task.FromResult(0) : _writer.EnqueueAsync(context =>
        {
            var command = context.Command(Insert);
            var added = 0;
            foreach (var entry in entries)
            {
                added += Bind(command, entry)
                    .Set("@profile", entry.Profile)
                    .Set("@subject", entry.Subject)
                    .Set("@system_title", entry.SystemTitle)
                    .Set("@dcu", entry.Dcu)
                    .Set("@not_after", SqliteTime.ToText(entry.NotAfter))
                    .Set("@certificate_created_at", SqliteTime.ToText(entry.CertificateCreatedAt))
                    .Set("@created_at", SqliteTime.ToText(entry.CreatedAt))
                    .ExecuteNonQuery();
            }
            return added;
        }, cancellationToken);
    }

    public Task UpdateAsync(IReadOnlyList<CampaignEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return entries.Count == 0 ? Task.CompletedTask : _writer.EnqueueAsync(context =>
        {
            var command = context.Command(Update);
            foreach (var entry in entries)
            {
                Bind(command, entry).ExecuteNonQuery();
            }
            return entries.Count;
        }, cancellationToken);
    }

    public Task<bool> ContainsAsync(string issuer, string serialHex, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var lease = _reads.Rent();
        var found = lease.Connection.Command("SELECT 1 FROM renewal_campaign_entries WHERE issuer = @issuer AND serial_hex = @serial;")
            .Set("@issuer", issuer).Set("@serial", serialHex).ExecuteScalar();
        return Task.FromResult(found is not null);
    }

    public async Task<IReadOnlyList<CampaignEntry>> ListAsync(CampaignQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Limit);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Offset);
        using var lease = _reads.Rent();
        var sql = SelectFrom + """
             WHERE (@dcu IS NULL OR dcu = @dcu) AND (@state IS NULL OR state = @state) AND (@profile IS NULL OR profile = @profile)
               AND (@before IS NULL OR scheduled_at <= @before)
            ORDER BY dcu, scheduled_at, issuer, serial_hex LIMIT @limit OFFSET @offset;
            """;
        await using var rows = await lease.Connection.Connection.ExecuteReaderAsync(new CommandDefinition(sql, new
        {
            dcu = query.Dcu,
            state = query.State is { } state ? CampaignEntryRows.StateText(state) : null,
            profile = query.Profile,
            before = SqliteTime.ToText(query.ScheduledBefore),
            limit = query.Limit,
            offset = query.Offset,
        }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return await rows.ToListAsync(CampaignEntryRows.Read, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> LastScheduledByDcuAsync(CancellationToken cancellationToken)
    {
        using var lease = _reads.Rent();
        var rows = await lease.Connection.Connection.QueryAsync<(string Dcu, string Last)>(new CommandDefinition(
            "SELECT dcu, MAX(scheduled_at) FROM renewal_campaign_entries GROUP BY dcu;", cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.ToDictionary(r => r.Dcu, r => SqliteTime.FromText(r.Last), StringComparer.Ordinal);
    }

    public async Task<IReadOnlyList<CampaignDcuSummary>> SummarizeByDcuAsync(CancellationToken cancellationToken)
    {
        using var lease = _reads.Rent();
        await using var rows = await lease.Connection.Connection.ExecuteReaderAsync(new CommandDefinition("""
            SELECT dcu AS Dcu,
                   SUM(state = 'due') AS Due, SUM(state = 'notified') AS Notified, SUM(state = 'renewed') AS Renewed, SUM(state = 'overdue') AS Overdue,
                   MIN(scheduled_at) AS FirstScheduledAt, MAX(scheduled_at) AS LastScheduledAt
            FROM renewal_campaign_entries GROUP BY dcu ORDER BY dcu;
            """, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return await rows.ToListAsync(CampaignEntryRows.ReadSummary, cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<CertificateRecord>> ListUnscheduledAsync(string profile, DateTimeOffset notAfterFrom, DateTimeOffset notAfterBefore,
        CertificateRecord? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        cancellationToken.ThrowIfCancellationRequested();
        using var lease = _reads.Rent();
        using var row = lease.Connection.Command(Unscheduled)
            .Set("@profile", profile)
            .Set("@from", SqliteTime.ToText(notAfterFrom))
            .Set("@before", SqliteTime.ToText(notAfterBefore))
            .Set("@after_not_after", SqliteTime.ToText(after?.NotAfter))
            .Set("@after_issuer", after?.Issuer)
            .Set("@after_serial", after?.SerialHex)
            .Set("@limit", limit)
            .ExecuteReader();
        return Task.FromResult<IReadOnlyList<CertificateRecord>>(row.ToList(CertificateRows.Read));
    }

    public Task<int> MarkRenewedAsync(CancellationToken cancellationToken) =>
        _writer.EnqueueAsync(context => context.Command(MarkRenewed).ExecuteNonQuery(), cancellationToken);

    public Task<int> MarkOverdueAsync(DateTimeOffset scheduledBefore, DateTimeOffset now, CancellationToken cancellationToken) =>
        _writer.EnqueueAsync(context => context.Command(MarkOverdue)
            .Set("@scheduled_before", SqliteTime.ToText(scheduledBefore))
            .Set("@now", SqliteTime.ToText(now))
            .ExecuteNonQuery(), cancellationToken);

    private static PreparedCommand Bind(PreparedCommand command, CampaignEntry entry) => command
        .Set("@issuer", entry.Issuer)
        .Set("@serial", entry.SerialHex)
        .Set("@scheduled_at", SqliteTime.ToText(entry.ScheduledAt))
        .Set("@state", CampaignEntryRows.StateText(entry.State))
        .Set("@attempts", entry.Attempts)
        .Set("@next_attempt_at", SqliteTime.ToText(entry.NextAttemptAt))
        .Set("@last_error", entry.LastError)
        .Set("@notified_at", SqliteTime.ToText(entry.NotifiedAt))
        .Set("@renewed_at", SqliteTime.ToText(entry.RenewedAt))
        .Set("@renewed_by_serial", entry.RenewedBySerial);
}
