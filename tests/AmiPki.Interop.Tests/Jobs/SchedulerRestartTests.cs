using System.Numerics;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Jobs;
using AmiPki.Interop.Tests.Support;
using AmiPki.Server.Hosting;
using AmiPki.Server.Jobs;
using AmiPki.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace AmiPki.Interop.Tests.Jobs;

/// <summary>
/// The whole server (runtime, host, Quartz scheduler) in this process on a manual clock: stopped before a CRL
/// publication falls due and started again after it, it publishes at once — no CRL publication is missed — while a
/// restart before the due time publishes nothing early.
/// </summary>
public sealed class SchedulerRestartTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    [Test]
    public async Task A_CRL_publication_that_fell_due_while_stopped_runs_at_the_next_start()
    {
        var data = Path.Combine(Path.GetTempPath(), "amipki-jobs-" + Guid.NewGuid().ToString("N")[..12]);
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var httpPort = FreePort.Tcp();
        var options = new AmiPkiOptions
        {
            DataDirectory = data,
            ProfilesDirectory = RepositoryPaths.Profiles,
            KeyPassphrase = AmiPkiServer.TestKeyPassphrase,
            HttpPort = httpPort,
            HttpsPort = 0,
            CoapsPort = 0,
            PublicBaseUrl = $"http://127.0.0.1:{httpPort}",
        };
        options.Jobs.CrlPublication = TimeSpan.FromMinutes(15);
        try
        {
            await using (var runtime = await AmiPkiRuntime.CreateOrOpenAsync(options, clock, CancellationToken.None))
            {
                await runtime.InitializeAsync("software", CancellationToken.None);
            }
            var t0 = clock.GetUtcNow();

            // First start: no job has run yet, so every job runs at once.
            var (firstRecord, firstCrl) = await RunServerAsync(options, clock,
                records => Find(records, JobNames.CrlPublication) is { Runs: 1 });
            Assert.That(firstRecord.LastStartedAt, Is.EqualTo(t0));
            Assert.That(firstRecord.LastOutcome, Is.EqualTo("success"), firstRecord.LastDetail);
            Assert.That(firstRecord.NextDueAt, Is.EqualTo(t0 + TimeSpan.FromMinutes(15)));

            // Restart 5 minutes later: the renewal campaign (every minute) is due and runs, the CRL publication is not.
            clock.Advance(TimeSpan.FromMinutes(5));
            var (early, _, plan) = await RunServerWithPlanAsync(options, clock, records => Find(records, JobNames.RenewalCampaign) is { Runs: 2 });
            Assert.That(early.Runs, Is.EqualTo(1), "nothing published before its time");
            Assert.That(plan.Jobs.Single(j => j.Name == JobNames.CrlPublication), Has.Property(nameof(PlannedJob.Missed)).False
                .And.Property(nameof(PlannedJob.StartAt)).EqualTo(t0 + TimeSpan.FromMinutes(15)));

            // Stopped across the due time (T0 + 15 min): the next start publishes at once.
            clock.Advance(TimeSpan.FromMinutes(15));
            var restartAt = clock.GetUtcNow();
            var (caughtUp, secondCrl, secondPlan) = await RunServerWithPlanAsync(options, clock,
                records => Find(records, JobNames.CrlPublication) is { Runs: 2 });
            Assert.That(secondPlan.Jobs.Single(j => j.Name == JobNames.CrlPublication).Missed, Is.True);
            Assert.That(caughtUp.LastStartedAt, Is.EqualTo(restartAt));
            Assert.That(caughtUp.LastOutcome, Is.EqualTo("success"), caughtUp.LastDetail);
            Assert.That(caughtUp.NextDueAt, Is.EqualTo(restartAt + TimeSpan.FromMinutes(15)));
            Assert.That(secondCrl, Is.GreaterThan(firstCrl), "a new CRL was published");

            // Each run is audited.
            await using var reopened = await AmiPkiRuntime.OpenAsync(options, clock, CancellationToken.None);
            var jobAudits = new List<string>();
            await foreach (var entry in reopened.Storage.Audit.ReadAllAsync(CancellationToken.None))
            {
                if (entry.Event.Kind == "job" && entry.Event.Detail.StartsWith(JobNames.CrlPublication + ":", StringComparison.Ordinal))
                {
                    jobAudits.Add(entry.Event.Outcome);
                }
            }
            Assert.That(jobAudits, Is.EqualTo(new[] { "success", "success" }));
            var records = await reopened.Storage.JobSchedule.ListAsync(CancellationToken.None);
            Assert.That(records.Select(r => r.Name), Is.SupersetOf(JobNames.All), "every job ran and was recorded");
            Assert.That(records.Where(r => r.LastOutcome != "success").Select(r => $"{r.Name}: {r.LastDetail}"), Is.Empty);
        }
        finally
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a temp directory.
            }
        }
    }

    private static JobScheduleRecord? Find(IReadOnlyList<JobScheduleRecord> records, string name) => records.FirstOrDefault(r => r.Name == name);

    private static async Task<(JobScheduleRecord Crl, BigInteger CrlNumber)> RunServerAsync(AmiPkiOptions options, ManualClock clock,
        Func<IReadOnlyList<JobScheduleRecord>, bool> done)
    {
        var (record, number, _) = await RunServerWithPlanAsync(options, clock, done);
        return (record, number);
    }

    /// <summary>Starts the server, waits (bounded) until <paramref name="done"/> holds for the recorded jobs, reads the served CRL, stops.</summary>
    private static async Task<(JobScheduleRecord Crl, BigInteger CrlNumber, JobPlan Plan)> RunServerWithPlanAsync(AmiPkiOptions options,
        ManualClock clock, Func<IReadOnlyList<JobScheduleRecord>, bool> done)
    {
        await using var runtime = await AmiPkiRuntime.OpenAsync(options, clock, CancellationToken.None);
        await using var app = await ServerHost.BuildAsync(runtime, [], CancellationToken.None);
        await app.StartAsync();
        try
        {
            var plan = app.Services.GetRequiredService<JobPlan>();
            var deadline = DateTime.UtcNow + Bound;
            IReadOnlyList<JobScheduleRecord> records;
            while (!done(records = await runtime.Storage.JobSchedule.ListAsync(CancellationToken.None)))
            {
                Assert.That(DateTime.UtcNow, Is.LessThan(deadline),
                    $"the scheduler did not get there within {Bound.TotalSeconds} s; recorded: {string.Join("; ", records.Select(r => $"{r.Name} x{r.Runs}"))}");
                await Task.Delay(50);
            }
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var der = await http.GetByteArrayAsync($"http://127.0.0.1:{options.HttpPort}/crl/issuing-s1.crl");
            CertificateRevocationListBuilder.Load(der, out var number);
            return (Find(records, JobNames.CrlPublication)!, number, plan);
        }
        finally
        {
            await app.StopAsync();
        }
    }
}
