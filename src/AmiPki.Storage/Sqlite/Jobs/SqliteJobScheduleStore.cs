using AmiPki.Core.Jobs;
using AmiPki.Storage.Sqlite.Writing;
using Dapper;

namespace AmiPki.Storage.Sqlite.Jobs;

/// <summary>Scheduled jobs' last run and next due time (table <c>job_schedule</c>).</summary>
internal sealed class SqliteJobScheduleStore : IJobScheduleStore
{
    private const string Upsert = """
        INSERT INTO job_schedule (name, next_due_at, last_started_at, last_finished_at, last_outcome, last_detail, runs, failures)
        VALUES (@name, @next_due_at, @last_started_at, @last_finished_at, @last_outcome, @last_detail, @runs, @failures)
        ON CONFLICT (name) DO UPDATE SET next_due_at = excluded.next_due_at, last_started_at = excluded.last_started_at,
            last_finished_at = excluded.last_finished_at, last_outcome = excluded.last_outcome, last_detail = excluded.last_detail,
            runs = excluded.runs, failures = excluded.failures;
        """;

    private readonly SqliteWriter _writer;
    private readonly SqliteReadPool _reads;

    public SqliteJobScheduleStore(SqliteWriter writer, SqliteReadPool reads)
    {
        _writer = writer;
        _reads = reads;
    }

    public async Task<IReadOnlyList<JobScheduleRecord>> ListAsync(CancellationToken cancellationToken)
    {
        using var lease = _reads.Rent();
        var rows = await lease.Connection.Connection.QueryAsync<Row>(new CommandDefinition("""
            SELECT name AS Name, next_due_at AS NextDueAt, last_started_at AS LastStartedAt, last_finished_at AS LastFinishedAt,
                   last_outcome AS LastOutcome, last_detail AS LastDetail, runs AS Runs, failures AS Failures
            FROM job_schedule ORDER BY name;
            """, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new JobScheduleRecord(r.Name, SqliteTime.FromText(r.NextDueAt), SqliteTime.FromNullableText(r.LastStartedAt),
            SqliteTime.FromNullableText(r.LastFinishedAt), r.LastOutcome, r.LastDetail, r.Runs, r.Failures)).ToList();
    }

    public Task SaveAsync(JobScheduleRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return _writer.EnqueueAsync(context => context.Command(Upsert)
            .Set("@name", record.Name)
            .Set("@next_due_at", SqliteTime.ToText(record.NextDueAt))
            .Set("@last_started_at", SqliteTime.ToText(record.LastStartedAt))
            .Set("@last_finished_at", SqliteTime.ToText(record.LastFinishedAt))
            .Set("@last_outcome", record.LastOutcome)
            .Set("@last_detail", record.LastDetail)
            .Set("@runs", record.Runs)
            .Set("@failures", record.Failures)
            .ExecuteNonQuery(), cancellationToken);
    }

    private sealed class Row
    {
        public string Name { get; set; } = "";
        public string NextDueAt { get; set; } = "";
        public string? LastStartedAt { get; set; }
        public string? LastFinishedAt { get; set; }
        public string? LastOutcome { get; set; }
        public string? LastDetail { get; set; }
        public long Runs { get; set; }
        public long Failures { get; set; }
    }
}
