using AmiPki.Core.Jobs;
using AmiPki.Storage.Postgres.Writing;
using AmiPki.Storage.Sqlite;

namespace AmiPki.Storage.Postgres.Jobs;

/// <summary>
/// Job leases in <c>job_schedule</c> (columns lease_owner, lease_until of migration 0004): one conditional upsert takes
/// the lease only if the job is due and unleased, so of two nodes whose schedulers fire the same job at once, the second
/// waits for the first's row lock, re-checks the condition, and gets nothing. A node that dies mid-run leaves a lease
/// that expires at <c>lease_until</c>, after which another node takes the job over.
/// </summary>
internal sealed class PostgresJobLeases : IJobLeases
{
    // Times are fixed-width ISO-8601 text, so text order is time order (see 0001_initial.sql).
    private const string Acquire = """
        INSERT INTO job_schedule AS j (name, next_due_at, runs, failures, lease_owner, lease_until)
        VALUES ($1, $3, 0, 0, $2, $4)
        ON CONFLICT (name) DO UPDATE SET lease_owner = excluded.lease_owner, lease_until = excluded.lease_until
        WHERE j.next_due_at <= $3 AND (j.lease_until IS NULL OR j.lease_until <= $3);
        """;
    private const string Release = "UPDATE job_schedule SET lease_owner = NULL, lease_until = NULL WHERE name = $1 AND lease_owner = $2;";

    private readonly PostgresWriter _writer;

    public PostgresJobLeases(PostgresWriter writer) => _writer = writer;

    public Task<bool> TryAcquireAsync(string name, string owner, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(owner);
        var nowText = SqliteTime.ToText(now);
        var untilText = SqliteTime.ToText(leaseUntil);
        return _writer.EnqueueAsync(async context =>
        {
            await using var command = context.Command(Acquire).Text(name).Text(owner).Text(nowText).Text(untilText);
            return await command.ExecuteNonQueryAsync().ConfigureAwait(false) == 1;
        }, cancellationToken);
    }

    public Task ReleaseAsync(string name, string owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(owner);
        return _writer.EnqueueAsync(async context =>
        {
            await using var command = context.Command(Release).Text(name).Text(owner);
            return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }, cancellationToken);
    }
}
