using AmiPki.Core.Jobs;
using AmiPki.Storage.Postgres;

namespace AmiPki.Storage.Tests.Postgres;

/// <summary>Job leases between two nodes (two storages, each its own writer and pool) on one database: once per cluster.</summary>
[TestFixture]
public sealed class PostgresJobLeaseTests
{
    private const string Job = "renewal-campaign";
    private static readonly DateTimeOffset T0 = new(2031, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);

    private PostgresStorageFactory _database = null!;

    [SetUp]
    public void CreateSchema() => _database = new PostgresStorageFactory();

    [TearDown]
    public async Task DropSchema() => await _database.DisposeAsync();

    private Task<PostgresStorage> OpenAsync(string node) => _database.OpenStorageAsync(node, TimeProvider.System);

    private static Task<bool> TakeAsync(PostgresStorage storage, string node, DateTimeOffset now) =>
        storage.JobLeases.TryAcquireAsync(Job, node, now, now + Lease, CancellationToken.None);

    [Test]
    public async Task A_due_job_is_leased_to_one_node_and_after_its_run_is_not_due_for_the_other()
    {
        await using var a = await OpenAsync("node-a");
        await using var b = await OpenAsync("node-b");

        Assert.That(await TakeAsync(a, "node-a", T0), Is.True, "never ran: due, and nobody holds it");
        Assert.That(await TakeAsync(b, "node-b", T0), Is.False, "node-a holds the lease");
        await a.JobSchedule.SaveAsync(new JobScheduleRecord(Job, T0.AddMinutes(1), T0, T0.AddSeconds(1), "success", "ok", 1, 0), CancellationToken.None);
        await a.JobLeases.ReleaseAsync(Job, "node-a", CancellationToken.None);

        Assert.That(await TakeAsync(b, "node-b", T0.AddSeconds(30)), Is.False, "node-a ran it: not due again until T0+1 min");
        Assert.That(await TakeAsync(b, "node-b", T0.AddMinutes(1)), Is.True, "due again: whichever node asks first");
        Assert.That(await TakeAsync(a, "node-a", T0.AddMinutes(1)), Is.False);
        var record = (await a.JobSchedule.ListAsync(CancellationToken.None)).Single();
        Assert.That((record.Runs, record.LastOutcome), Is.EqualTo((1L, "success")), "taking a lease leaves the run's record as it was");
    }

    [Test]
    public async Task The_lease_of_a_node_that_died_mid_run_expires_and_another_node_takes_the_job_over()
    {
        await using var a = await OpenAsync("node-a");
        await using var b = await OpenAsync("node-b");
        Assert.That(await TakeAsync(a, "node-a", T0), Is.True);
        // node-a dies: no record, no release.
        Assert.That(await TakeAsync(b, "node-b", T0 + Lease - TimeSpan.FromSeconds(1)), Is.False, "lease still held");
        Assert.That(await TakeAsync(b, "node-b", T0 + Lease), Is.True, "expired: node-b takes over");
        await a.JobLeases.ReleaseAsync(Job, "node-a", CancellationToken.None);
        Assert.That(await TakeAsync(a, "node-a", T0 + Lease), Is.False, "a release by a node that lost its lease frees nothing");
    }

    [Test]
    public async Task Of_many_concurrent_claims_on_a_due_job_exactly_one_wins()
    {
        var nodes = new List<PostgresStorage>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                nodes.Add(await OpenAsync($"node-{i}"));
            }
            var claims = await Task.WhenAll(nodes.SelectMany((node, i) => Enumerable.Range(0, 5).Select(_ => TakeAsync(node, $"node-{i}", T0))));
            Assert.That(claims.Count(c => c), Is.EqualTo(1));
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }
}
