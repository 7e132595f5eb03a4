using AmiPki.Core.Audit;
using AmiPki.Core.Profiles;
using AmiPki.Core.Storage;

namespace AmiPki.Core.Campaigns;

/// <summary>
/// Runs renewal campaigns. Each pass (the <c>renewal-campaign</c> job, or <see cref="RunAsync"/> on demand):
/// <list type="number">
/// <item>finds issued, unrevoked certificates that entered their profile's renewal window (<c>renewalWindowDays</c>
/// before notAfter) and are in no campaign yet, and schedules them per DCU (<see cref="CampaignPlanner"/>);</item>
/// <item>marks entries renewed when a newer certificate was issued for the same subject under the same profile, and
/// overdue when not renewed within <see cref="CampaignOptions.OverdueAfter"/> of their time or by notAfter;</item>
/// <item>tells the head-end about entries whose time came (<see cref="ICampaignNotifier"/>); a failed call is retried
/// at a later pass after an exponential back-off kept with the entry, so retries survive a restart.</item>
/// </list>
/// Every pass that changed something is audited.
/// </summary>
public sealed class RenewalCampaignEngine : ICampaignService
{
    private const int PageSize = 1000;
    private const int MaxParallelNotifications = 8;

    private readonly ICampaignStore _store;
    private readonly ICampaignNotifier _notifier;
    private readonly ProfileSet _profiles;
    private readonly CampaignOptions _options;
    private readonly CampaignPlanner _planner;
    private readonly TimeProvider _time;
    private readonly IAuditLog _audit;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public RenewalCampaignEngine(ICampaignStore store, ICampaignNotifier notifier, ProfileSet profiles,
        CampaignOptions options, TimeProvider time, IAuditLog audit, Random? jitter = null)
    {
        _store = store;
        _notifier = notifier;
        _profiles = profiles;
        _options = options;
        _time = time;
        _audit = audit;
        _planner = new CampaignPlanner(options, jitter ?? Random.Shared);
    }

    public CampaignPlanner Planner => _planner;

    public Task<IReadOnlyList<CampaignDcuSummary>> ListDcusAsync(CancellationToken cancellationToken) => _store.SummarizeByDcuAsync(cancellationToken);

    public Task<IReadOnlyList<CampaignEntry>> ListEntriesAsync(CampaignQuery query, CancellationToken cancellationToken) =>
        _store.ListAsync(query, cancellationToken);

    public async Task<CampaignRunResult> RunAsync(CancellationToken cancellationToken)
    {
        // One pass at a time: the job and an admin's "run now" must not schedule the same certificate twice.
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var now = _time.GetUtcNow();
            var scheduled = await ScheduleNewAsync(now, cancellationToken);
            var (renewed, overdue) = await FollowUpAsync(now, cancellationToken);
            var (notified, failures) = await NotifyDueAsync(now, cancellationToken);
            var result = new CampaignRunResult(scheduled, notified, failures, renewed, overdue);
            if (scheduled + renewed + overdue + notified + failures > 0)
            {
                await _audit.AppendAsync(new AuditEvent(now, "campaign", "amipki:scheduler", failures > 0 ? "partial" : "success", result.ToString()),
                    cancellationToken);
            }
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<int> ScheduleNewAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var byDcu = new Dictionary<string, List<CampaignEntry>>(StringComparer.Ordinal);
        foreach (var profile in _profiles.All.Where(p => p.RenewalWindowDays > 0 && !_options.ExcludedProfiles.Contains(p.Name)))
        {
            // Expired certificates are past renewing (housekeeping marks them); only those still valid are picked up.
            var windowEnd = now.AddDays(profile.RenewalWindowDays);
            CertificateRecord? last = null;
            while (true)
            {
                var page = await _store.ListUnscheduledAsync(profile.Name, now, windowEnd, last, PageSize, cancellationToken);
                foreach (var certificate in page)
                {
                    var dcu = certificate.Dcu ?? "";
                    if (!byDcu.TryGetValue(dcu, out var list))
                    {
                        byDcu[dcu] = list = [];
                    }
                    list.Add(new CampaignEntry(certificate.Issuer, certificate.SerialHex, certificate.Profile, certificate.Subject, certificate.SystemTitle,
                        dcu, certificate.NotAfter, certificate.CreatedAt, now, CampaignEntryState.Due, 0, null, null, null, null, null, now));
                }
                if (page.Count < PageSize)
                {
                    break;
                }
                last = page[^1];
            }
        }
        if (byDcu.Count == 0)
        {
            return 0;
        }
        var lastScheduled = await _store.LastScheduledByDcuAsync(cancellationToken);
        var planned = new List<CampaignEntry>();
        foreach (var (dcu, entries) in byDcu.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            planned.AddRange(_planner.PlanDcu(entries, now, lastScheduled.TryGetValue(dcu, out var at) ? at : null));
        }
        return await _store.AddAsync(planned, cancellationToken);
    }

    /// <summary>Renewals first (a renewed certificate is never overdue), then what stayed unrenewed too long.</summary>
    private async Task<(int Renewed, int Overdue)> FollowUpAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var renewed = await _store.MarkRenewedAsync(cancellationToken);
        var overdue = await _store.MarkOverdueAsync(now - _options.OverdueAfter, now, cancellationToken);
        return (renewed, overdue);
    }

    private async Task<(int Notified, int Failures)> NotifyDueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!_notifier.IsConfigured)
        {
            return (0, 0);
        }
        var due = (await _store.ListAsync(new CampaignQuery(State: CampaignEntryState.Due, ScheduledBefore: now, Limit: _options.MaxNotificationsPerRun),
                cancellationToken))
            .Where(e => e.NextAttemptAt is null || e.NextAttemptAt <= now)
            .ToList();
        if (due.Count == 0)
        {
            return (0, 0);
        }
        var results = new CampaignEntry[due.Count];
        var notified = 0;
        var failures = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, due.Count),
            new ParallelOptions { MaxDegreeOfParallelism = MaxParallelNotifications, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                var entry = due[i];
                var attempts = entry.Attempts + 1;
                try
                {
                    await _notifier.NotifyAsync(entry, token);
                    results[i] = entry with
                    {
                        State = CampaignEntryState.Notified, Attempts = attempts, NotifiedAt = _time.GetUtcNow(), NextAttemptAt = null, LastError = null,
                    };
                    Interlocked.Increment(ref notified);
                }
                catch (CampaignNotificationException e)
                {
                    // Every attempt before a success failed, so the attempt count is the failure count.
                    results[i] = entry with { Attempts = attempts, NextAttemptAt = now + _options.RetryDelay(attempts), LastError = e.Message };
                    Interlocked.Increment(ref failures);
                }
            });
        await _store.UpdateAsync(results, cancellationToken);
        return (notified, failures);
    }
}
