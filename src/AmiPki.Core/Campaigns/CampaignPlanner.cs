namespace AmiPki.Core.Campaigns;

/// <summary>
/// Gives certificates entering their renewal window a renewal time, per DCU: a DCU's renewals are spread evenly over
/// <see cref="CampaignOptions.SpreadWindow"/>, at most <see cref="CampaignOptions.MaxPerDcuPerWindow"/> per window
/// (more spill into the next windows), each shifted by a random jitter inside its own slot, so a DCU's mesh never
/// carries a burst of re-enrollments and meters do not answer in lock-step. Different DCUs are different meshes and
/// are planned independently. The earliest-expiring certificates go first.
/// </summary>
public sealed class CampaignPlanner
{
    private readonly CampaignOptions _options;
    private readonly Random _random;

    /// <param name="random">Jitter source: not a secret, so a seeded one makes plans reproducible in tests.</param>
    public CampaignPlanner(CampaignOptions options, Random random)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        if (options.SpreadWindow <= TimeSpan.Zero || options.MaxPerDcuPerWindow < 1 || options.Jitter is < 0 or > 1)
        {
            throw new ArgumentException("campaign options need a positive spread window, MaxPerDcuPerWindow >= 1 and 0 <= Jitter <= 1");
        }
        _options = options;
        _random = random;
    }

    /// <summary>The smallest gap between two renewals of one DCU this planner produces: (1 − jitter) × window ÷ max per window.</summary>
    public TimeSpan MinimumSpacing => _options.SpreadWindow / _options.MaxPerDcuPerWindow * (1 - _options.Jitter);

    /// <summary>Plans one DCU's new entries.</summary>
    /// <param name="entries">The DCU's certificates to schedule (any order; <see cref="CampaignEntry.ScheduledAt"/> is ignored).</param>
    /// <param name="now">The earliest renewal time.</param>
    /// <param name="lastScheduled">The latest renewal time this DCU already has from an earlier pass: new ones come after it.</param>
    public IReadOnlyList<CampaignEntry> PlanDcu(IReadOnlyList<CampaignEntry> entries, DateTimeOffset now, DateTimeOffset? lastScheduled)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var window = _options.SpreadWindow;
        var cap = _options.MaxPerDcuPerWindow;
        var start = lastScheduled is { } last && last + window / cap > now ? last + window / cap : now;
        var ordered = entries.OrderBy(e => e.NotAfter).ThenBy(e => e.SerialHex, StringComparer.Ordinal).ToList();
        var planned = new List<CampaignEntry>(ordered.Count);
        for (var chunkStart = 0; chunkStart < ordered.Count; chunkStart += cap)
        {
            var windowStart = start + window * (chunkStart / cap);
            var count = Math.Min(cap, ordered.Count - chunkStart);
            var slot = window / count;
            for (var i = 0; i < count; i++)
            {
                var jitter = slot * (_options.Jitter * _random.NextDouble());
                var at = windowStart + slot * i + jitter;
                planned.Add(ordered[chunkStart + i] with { ScheduledAt = at, State = CampaignEntryState.Due, NextAttemptAt = at });
            }
        }
        return planned;
    }
}
