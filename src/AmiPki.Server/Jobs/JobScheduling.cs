using AmiPki.Core.Audit;
using AmiPki.Core.Campaigns;
using AmiPki.Core.Jobs;
using AmiPki.Core.Operations;
using AmiPki.Core.Profiles;
using AmiPki.Core.Storage;
using AmiPki.Protocols.Cmp;
using AmiPki.Protocols.Ocsp;
using AmiPki.Protocols.Scep;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Quartz;

namespace AmiPki.Server.Jobs;

/// <summary>
/// Registers the scheduled jobs, the renewal campaign engine (<see cref="ICampaignService"/>) and the Quartz.NET
/// scheduler that fires the jobs.
/// <para>
/// Persistence: Quartz runs with its in-memory store, and each job's last run and next due time live in AmiPki's own
/// <c>job_schedule</c> table, written by <see cref="JobRunner"/> after every run. At start every trigger begins at its
/// job's recorded next due time; one already past fires at once (misfire instruction FireNow: one catch-up run however
/// many intervals were missed — one new CRL supersedes all the missed ones). Quartz's ADO job store was not used: its
/// dozen <c>qrtz_</c> tables would sit outside AmiPki's numbered migrations (and need porting to PostgreSQL), and it
/// would write the SQLite file through connections of its own, competing for the one write lock with the
/// group-committing writer every issuance goes through (SQLITE_BUSY under load).
/// </para>
/// </summary>
public static class JobScheduling
{
    public static async Task AddAmiPkiJobsAsync(this IServiceCollection services, AmiPkiRuntime runtime, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        var options = runtime.Options;
        var storage = runtime.Storage;
        services.AddSingleton(options.Jobs);
        services.AddSingleton(options.Campaigns);
        services.AddSingleton(storage.JobSchedule);
        services.AddSingleton(storage.Campaigns);
        services.AddSingleton(storage.Housekeeping);
        services.AddSingleton<IAuditHeadReader>(storage.Audit);
        // Factory form, so the container disposes the notifier's HttpClient with the host.
        services.AddSingleton<ICampaignNotifier>(_ => new WebhookCampaignNotifier(options.Campaigns, time: runtime.Time));
        services.AddSingleton(sp => new RenewalCampaignEngine(sp.GetRequiredService<ICampaignStore>(),
            sp.GetRequiredService<ICampaignNotifier>(), sp.GetRequiredService<ProfileSet>(), options.Campaigns, runtime.Time,
            sp.GetRequiredService<IAuditLog>()));
        services.AddSingleton<ICampaignService>(sp => sp.GetRequiredService<RenewalCampaignEngine>());

        services.AddSingleton<OperationalCertificateRegistry>();
        services.AddSingleton<IOperationalCertificateSource>(sp => sp.GetRequiredService<OperationalCertificateRegistry>());
        services.AddSingleton<IOperationalCertificateSource>(sp => sp.GetRequiredService<OcspResponderCertificates>());
        services.AddSingleton<IOperationalCertificateSource>(sp => sp.GetRequiredService<CmpResponderProvider>());
        services.AddSingleton<IOperationalCertificateSource>(sp => sp.GetRequiredService<ScepRaProvider>());

        services.AddSingleton<IAmiPkiJob, CrlPublicationJob>();
        services.AddSingleton<IAmiPkiJob, OcspRefreshJob>();
        services.AddSingleton<IAmiPkiJob, OperationalCertificatesJob>();
        services.AddSingleton<IAmiPkiJob, CaExpiryWarningJob>();
        services.AddSingleton<IAmiPkiJob, CertificateHousekeepingJob>();
        services.AddSingleton<IAmiPkiJob, AuditCheckpointJob>();
        services.AddSingleton<IAmiPkiJob, RenewalCampaignJob>();
        services.AddSingleton(sp => new JobRunner(sp.GetServices<IAmiPkiJob>(), sp.GetRequiredService<IJobScheduleStore>(), storage.JobLeases,
            options.NodeName, sp.GetRequiredService<IAuditLog>(), options.Jobs, runtime.Time, sp.GetRequiredService<ILogger<JobRunner>>()));

        var plan = await PlanAsync(storage.JobSchedule, options.Jobs, runtime.Time, cancellationToken);
        services.AddSingleton(plan);
        if (!options.Jobs.Enabled)
        {
            return;
        }
        services.AddQuartz(quartz =>
        {
            quartz.UseTimeProvider(runtime.Time);
            foreach (var job in plan.Jobs)
            {
                quartz.ScheduleJob<QuartzJobAdapter>(
                    trigger => trigger.WithIdentity(job.Name).StartAt(job.StartAt).WithSimpleSchedule(schedule => schedule
                        .WithInterval(job.Interval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow)),
                    detail => detail.WithIdentity(job.Name));
            }
        });
        services.AddQuartzHostedService(hosted => hosted.WaitForJobsToComplete = true);
    }

    /// <summary>When each job starts: at its recorded next due time, at once if that passed or it never ran.</summary>
    public static async Task<JobPlan> PlanAsync(IJobScheduleStore store, JobOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        var records = (await store.ListAsync(cancellationToken)).ToDictionary(r => r.Name, StringComparer.Ordinal);
        var now = time.GetUtcNow();
        var jobs = new List<PlannedJob>();
        foreach (var name in JobNames.All)
        {
            var interval = options.IntervalOf(name);
            if (interval <= TimeSpan.Zero)
            {
                throw new ArgumentException($"AmiPki:Jobs:{name}: the interval must be positive, not {interval}");
            }
            var due = records.TryGetValue(name, out var record) ? record.NextDueAt : now;
            jobs.Add(new PlannedJob(name, interval, due <= now ? now : due, Missed: record is not null && due < now, record));
        }
        return new JobPlan(jobs);
    }

    /// <summary>Logs each job's interval and next run (catch-up runs marked).</summary>
    public static void LogPlan(JobPlan plan, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(plan);
        foreach (var job in plan.Jobs)
        {
            JobsLog.Scheduled(logger, job.Name, job.Interval, job.StartAt,
                job.Missed ? $" (catch-up: was due {job.Previous!.NextDueAt:u} while AmiPki was stopped)" : "");
        }
    }
}

/// <summary>The scheduler's plan at start.</summary>
public sealed record JobPlan(IReadOnlyList<PlannedJob> Jobs);

/// <summary>One job's first run at start and its interval; <paramref name="Missed"/> when it fell due while AmiPki was stopped.</summary>
public sealed record PlannedJob(string Name, TimeSpan Interval, DateTimeOffset StartAt, bool Missed, JobScheduleRecord? Previous);
