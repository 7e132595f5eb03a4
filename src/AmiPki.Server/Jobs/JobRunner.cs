using AmiPki.Core.Telemetry;
using System.Diagnostics;
using AmiPki.Core.Audit;
using AmiPki.Core.Jobs;
using Microsoft.Extensions.Logging;

namespace AmiPki.Server.Jobs;

/// <summary>
/// Runs a scheduled job and records the run: the job's schedule row (last run, outcome, next due time) is written
/// durably after every run, and every run is audited and logged, success or failure. Quartz fires it on the job's
/// interval; <see cref="RunAsync"/> is also the "run now" of the CLI and admin API.
/// </summary>
public sealed class JobRunner
{
    private readonly Dictionary<string, IAmiPkiJob> _jobs;
    private readonly IJobScheduleStore _store;
    private readonly IAuditLog _audit;
    private readonly JobOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, SemaphoreSlim> _gates;
    private readonly IJobLeases _leases;
    private readonly string _node;

    /// <param name="leases">Who runs a cluster-wide job when several nodes share the database.</param>
    /// <param name="node">This node's name, the owner of the leases it takes.</param>
    public JobRunner(IEnumerable<IAmiPkiJob> jobs, IJobScheduleStore store, IJobLeases leases, string node, IAuditLog audit, JobOptions options,
        TimeProvider time, ILogger<JobRunner> logger)
    {
        _leases = leases;
        _node = node;
        _jobs = jobs.ToDictionary(j => j.Name, StringComparer.Ordinal);
        _store = store;
        _audit = audit;
        _options = options;
        _time = time;
        _logger = logger;
        _gates = _jobs.Keys.ToDictionary(k => k, _ => new SemaphoreSlim(1, 1), StringComparer.Ordinal);
    }

    public IReadOnlyCollection<string> Names => _jobs.Keys;

    /// <summary>Each job's recorded state (jobs that never ran have none).</summary>
    public Task<IReadOnlyList<JobScheduleRecord>> ListAsync(CancellationToken cancellationToken) => _store.ListAsync(cancellationToken);

    /// <summary>
    /// The scheduler's run of a job that fell due at <paramref name="scheduledAt"/>. A cluster-wide job
    /// (<see cref="JobNames.ClusterWide"/>) runs only if this node takes its lease: due by the shared schedule and claimed
    /// by no other node; otherwise another node ran it (or runs it now) and this returns null. The next due time counts
    /// from <paramref name="scheduledAt"/>, so every node's trigger, firing at the same instants, finds it due on time.
    /// </summary>
    public async Task<JobScheduleRecord?> RunScheduledAsync(string name, DateTimeOffset scheduledAt, CancellationToken cancellationToken)
    {
        if (!JobNames.ClusterWide.Contains(name))
        {
            return await RunAsync(name, cancellationToken, scheduledAt);
        }
        var now = _time.GetUtcNow();
        if (!await _leases.TryAcquireAsync(name, _node, now, now + _options.Lease, cancellationToken))
        {
            JobsLog.RunElsewhere(_logger, name);
            return null;
        }
        try
        {
            return await RunAsync(name, cancellationToken, scheduledAt);
        }
        finally
        {
            await _leases.ReleaseAsync(name, _node, CancellationToken.None);
        }
    }

    /// <summary>Runs the job now (one run of a job at a time) and returns its updated record. A failure is recorded, not thrown.</summary>
    /// <param name="scheduledAt">When the scheduler meant it to run (the next due time counts from there); null: a run on demand, counted from its start.</param>
    public async Task<JobScheduleRecord> RunAsync(string name, CancellationToken cancellationToken, DateTimeOffset? scheduledAt = null)
    {
        var job = _jobs.GetValueOrDefault(name) ?? throw new ArgumentException($"no job named '{name}' (known: {string.Join(", ", _jobs.Keys)})");
        var gate = _gates[name];
        await gate.WaitAsync(cancellationToken);
        try
        {
            var previous = (await _store.ListAsync(cancellationToken)).FirstOrDefault(r => r.Name == name);
            var started = _time.GetUtcNow();
            var stopwatch = Stopwatch.StartNew();
            string outcome, detail;
            try
            {
                detail = await job.RunAsync(cancellationToken);
                outcome = "success";
                JobsLog.Succeeded(_logger, name, stopwatch.ElapsedMilliseconds, detail);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                outcome = "failed";
                detail = $"{e.GetType().Name}: {e.Message}";
                JobsLog.Failed(_logger, name, e);
            }
            var finished = _time.GetUtcNow();
            AmiPkiMetrics.RecordJobRun(name, outcome == "success", stopwatch.Elapsed);
            // A failed run stays due, so a restart retries it at once; Quartz retries it at the next interval meanwhile.
            var nextDue = outcome == "success" ? (scheduledAt is { } due && due <= started ? due : started) + _options.IntervalOf(name) : started;
            var record = new JobScheduleRecord(name, nextDue, started, finished, outcome, detail, (previous?.Runs ?? 0) + 1,
                (previous?.Failures ?? 0) + (outcome == "success" ? 0 : 1));
            // Recorded and audited even when the host is stopping: the run happened.
            await _store.SaveAsync(record, CancellationToken.None);
            await _audit.AppendAsync(new AuditEvent(finished, "job", "amipki:scheduler", outcome, $"{name}: {detail}"), CancellationToken.None);
            return record;
        }
        finally
        {
            gate.Release();
        }
    }
}
