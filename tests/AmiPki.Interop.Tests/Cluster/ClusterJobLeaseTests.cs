using System.Diagnostics;
using AmiPki.Interop.Tests.Crash;
using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.Cluster;

/// <summary>
/// Scheduled jobs on two real <c>amipki serve</c> nodes sharing one PostgreSQL (issue 10): a cluster-wide job on a short
/// interval runs once per cluster — whichever node takes its lease in <c>job_schedule</c> — not once per node. Both
/// nodes' schedulers fire it every interval; the runs are counted in the audit log (every run is audited by the node that
/// ran it) and in the job's schedule row.
/// </summary>
[TestFixture]
public sealed class ClusterJobLeaseTests
{
    private const string Job = "renewal-campaign";
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Watch = TimeSpan.FromSeconds(16);

    [Test]
    public async Task A_cluster_wide_job_runs_once_per_interval_across_two_nodes_not_once_per_node()
    {
        await using var storage = await TestStorage.CreateAsync(StorageKind.Postgres);
        IDictionary<string, string> Environment(string node)
        {
            var environment = storage.Environment(node)!;
            environment["AMIPKI_Jobs__RenewalCampaign"] = Interval.ToString();
            return environment;
        }

        var clock = Stopwatch.StartNew();
        var nodeA = await AmiPkiServer.StartAsync(environment: Environment("node-a"));
        try
        {
            var nodeB = await AmiPkiServer.StartAnotherNodeAsync(nodeA, Environment("node-b"));
            await Task.Delay(Watch);
            await nodeB.DisposeAsync();
        }
        finally
        {
            await nodeA.DisposeAsync();
        }
        var window = clock.Elapsed;

        var audited = Convert.ToInt64(await storage.ScalarAsync(
            $"SELECT COUNT(*) FROM audit_log WHERE kind = 'job' AND detail LIKE '{Job}:%';"), System.Globalization.CultureInfo.InvariantCulture);
        var runners = (string?)await storage.ScalarAsync(
            $"SELECT string_agg(DISTINCT node, ',') FROM audit_log WHERE kind = 'job' AND detail LIKE '{Job}:%';");
        var recorded = Convert.ToInt64(await storage.ScalarAsync($"SELECT runs FROM job_schedule WHERE name = '{Job}';"),
            System.Globalization.CultureInfo.InvariantCulture);
        var lease = await storage.ScalarAsync($"SELECT lease_owner FROM job_schedule WHERE name = '{Job}';");

        // At most one run per interval over the whole window (the first at start): two schedulers without a lease would
        // run it about twice as often.
        var mostOnce = (long)(window / Interval) + 1;
        TestContext.Progress.WriteLine($"job {Job} every {Interval.TotalSeconds:F0} s on two nodes for {window.TotalSeconds:F1} s: {audited} audited runs " +
            $"(run by {runners}), job_schedule.runs {recorded}; once per node would be up to {2 * mostOnce}");
        Assert.That(audited, Is.GreaterThanOrEqualTo(3), "the job ran on schedule");
        // Each run counts on from the record the previous one saved, so two overlapping runs would record fewer runs than
        // they audit. The nodes are stopped with SIGKILL, so the last run may be recorded but not yet audited (one more).
        Assert.That(recorded, Is.InRange(audited, audited + 1), "no two runs overlapped");
        Assert.That(audited, Is.LessThanOrEqualTo(mostOnce), $"more runs than intervals in {window}: the job ran once per node");
        Assert.That(lease is DBNull || recorded == audited + 1, Is.True, "every lease given back after its run (unless killed mid-run)");
    }
}
