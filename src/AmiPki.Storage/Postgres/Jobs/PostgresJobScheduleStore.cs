using AmiPki.Core.Jobs;
using AmiPki.Storage.Postgres.Writing;
using AmiPki.Storage.Sqlite;
using Npgsql;

namespace AmiPki.Storage.Postgres.Jobs;

/// <summary>Scheduled jobs' last run and next due time (table <c>job_schedule</c>), shared by every node of the database.</summary>
internal sealed class PostgresJobScheduleStore : IJobScheduleStore
{
    private const string Upsert = """
        INSERT INTO job_schedule (name, next_due_at, last_started_at, last_finished_at, last_outcome, last_detail, runs, failures)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (name) DO UPDATE SET next_due_at = excluded.next_due_at, last_started_at = excluded.last_started_at,
            last_finished_at = excluded.last_finished_at, last_outcome = excluded.last_outcome, last_detail = excluded.last_detail,
            runs = excluded.runs, failures = excluded.failures;
        """;
    private const string List = """
        SELECT name, next_due_at, last_started_at, last_finished_at, last_outcome, last_detail, runs, failures
        FROM job_schedule ORDER BY name;
        """;

    private readonly PostgresWriter _writer;
    private readonly NpgsqlDataSource _dataSource;

    public PostgresJobScheduleStore(PostgresWriter writer, NpgsqlDataSource dataSource)
    {
        _writer = writer;
        _dataSource = dataSource;
    }

    public async Task<IReadOnlyList<JobScheduleRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(List);
        await using var row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var records = new List<JobScheduleRecord>();
        while (await row.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            records.Add(new JobScheduleRecord(row.GetString(0), SqliteTime.FromText(row.GetString(1)), NullableTime(row, 2), NullableTime(row, 3),
                NullableString(row, 4), NullableString(row, 5), row.GetInt64(6), row.GetInt64(7)));
        }
        return records;
    }

    public Task SaveAsync(JobScheduleRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return _writer.EnqueueAsync(async context =>
        {
            await using var command = context.Command(Upsert)
                .Text(record.Name)
                .Text(SqliteTime.ToText(record.NextDueAt))
                .Text(SqliteTime.ToText(record.LastStartedAt))
                .Text(SqliteTime.ToText(record.LastFinishedAt))
                .Text(record.LastOutcome)
                .Text(record.LastDetail)
                .Int64(record.Runs)
                .Int64(record.Failures);
            return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }, cancellationToken);
    }

    private static string? NullableString(NpgsqlDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : row.GetString(ordinal);

    private static DateTimeOffset? NullableTime(NpgsqlDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : SqliteTime.FromText(row.GetString(ordinal));
}
