using AmiPki.Core.Campaigns;
using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.Jobs;

/// <summary>
/// A renewal campaign over 1,000 meter certificates on a manual clock: spread over the window per DCU (a DCU over the
/// limit spills into the next window), at least the planner's minimum spacing apart, then notified to a real HTTP
/// receiver as their times come, renewed when a newer certificate is issued, overdue otherwise.
/// </summary>
public sealed class RenewalCampaignTests
{
    private static readonly TimeSpan Window = TimeSpan.FromHours(4);

    [Test]
    public async Task A_campaign_over_1000_certificates_is_spread_per_DCU_and_progresses_through_its_states()
    {
        await using var bed = await CampaignTestBed.CreateAsync();
        using var receiver = new WebhookReceiver();
        var options = new CampaignOptions { SpreadWindow = Window, MaxPerDcuPerWindow = 240, Jitter = 0.5, OverdueAfter = TimeSpan.FromDays(3) };
        using var notifier = CampaignTestBed.Webhook(options, receiver.Url);
        var engine = bed.Engine(options, notifier);
        var t0 = bed.Clock.GetUtcNow();

        // 300 meters behind dcu-00 (over the 240 per window), 80 behind each of dcu-01..dcu-08, 60 with no DCU; all
        // expiring inside meter-s1-signing's 180-day renewal window. 5 more expire after it and must be left alone.
        var expected = new Dictionary<string, int> { ["dcu-00"] = 300, [""] = 60 };
        for (var d = 1; d <= 8; d++)
        {
            expected[$"dcu-{d:00}"] = 80;
        }
        var meter = 0;
        foreach (var (dcu, count) in expected)
        {
            for (var i = 0; i < count; i++, meter++)
            {
                await bed.AddMeterCertificateAsync($"4D4D4D{meter:X10}", dcu.Length == 0 ? null : dcu, t0.AddDays(30 + meter % 100));
            }
        }
        for (var i = 0; i < 5; i++)
        {
            await bed.AddMeterCertificateAsync($"4D4D4E{i:X10}", "dcu-01", t0.AddDays(400));
        }
        Assert.That(meter, Is.EqualTo(1000));

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var first = await engine.RunAsync(CancellationToken.None);
        // A figure for the report, not an assertion (speed belongs to the bench project).
        await TestContext.Out.WriteLineAsync($"scheduling pass over 1,000 certificates: {stopwatch.ElapsedMilliseconds} ms");
        Assert.That(first.Scheduled, Is.EqualTo(1000), first.ToString());
        Assert.That(first.Notified, Is.Zero, "nothing is due before its time");
        var entries = await engine.ListEntriesAsync(new CampaignQuery(Limit: 5000), CancellationToken.None);
        Assert.That(entries, Has.Count.EqualTo(1000));
        Assert.That(entries.All(e => e.State == CampaignEntryState.Due));

        var minimumSpacing = engine.Planner.MinimumSpacing;
        Assert.That(minimumSpacing, Is.EqualTo(TimeSpan.FromSeconds(30)), "(1 - 0.5 jitter) x 4 h / 240");
        foreach (var (dcu, count) in expected)
        {
            var times = entries.Where(e => e.Dcu == dcu).Select(e => e.ScheduledAt).Order().ToList();
            Assert.That(times, Has.Count.EqualTo(count), $"DCU '{dcu}'");
            Assert.That(times[0], Is.GreaterThanOrEqualTo(t0));
            var gaps = times.Zip(times.Skip(1), (a, b) => b - a).ToList();
            Assert.That(gaps.Min(), Is.GreaterThanOrEqualTo(minimumSpacing), $"DCU '{dcu}': two renewals closer than the minimum spacing");
            // Each window holds at most 240 of a DCU's renewals; the rest spill into the next one.
            var perWindow = times.GroupBy(t => (int)((t - t0) / Window)).ToDictionary(g => g.Key, g => g.Count());
            Assert.That(perWindow.Values.Max(), Is.LessThanOrEqualTo(options.MaxPerDcuPerWindow), $"DCU '{dcu}'");
            if (count <= options.MaxPerDcuPerWindow)
            {
                Assert.That(times[^1], Is.LessThan(t0 + Window), $"DCU '{dcu}': all inside the window");
                // Spread over the window, not bunched: evenly spaced slots of 4 h / 80 = 3 min, jittered within half a slot.
                Assert.That(gaps.Min(), Is.GreaterThanOrEqualTo(Window / count * (1 - options.Jitter)), $"DCU '{dcu}'");
                Assert.That(times[^1] - times[0], Is.GreaterThan(Window * 0.9), $"DCU '{dcu}': spread over the window");
            }
        }
        var big = entries.Where(e => e.Dcu == "dcu-00").Select(e => e.ScheduledAt).ToList();
        Assert.That(big.Count(t => t < t0 + Window), Is.EqualTo(240));
        Assert.That(big.Count(t => t >= t0 + Window && t < t0 + 2 * Window), Is.EqualTo(60), "dcu-00's overflow goes to the next window");
        // The earliest-expiring certificates of a DCU go first.
        var dcu01 = entries.Where(e => e.Dcu == "dcu-01").OrderBy(e => e.ScheduledAt).ToList();
        Assert.That(dcu01.Select(e => e.NotAfter), Is.Ordered);

        // A second pass finds nothing new: each certificate is in one campaign once.
        Assert.That((await engine.RunAsync(CancellationToken.None)).Scheduled, Is.Zero);

        // Halfway through the window: exactly the entries whose time came are notified.
        bed.Clock.Advance(Window / 2);
        var half = await engine.RunAsync(CancellationToken.None);
        var dueByNow = entries.Count(e => e.ScheduledAt <= t0 + Window / 2);
        Assert.That(half.Notified, Is.EqualTo(dueByNow));
        Assert.That(receiver.Calls, Has.Count.EqualTo(dueByNow));

        // End of the second window: everything notified, once each, never before its time.
        bed.Clock.Advance(Window * 1.5);
        stopwatch.Restart();
        var rest = await engine.RunAsync(CancellationToken.None);
        await TestContext.Out.WriteLineAsync($"notification pass, {rest.Notified} webhook POSTs to 127.0.0.1: {stopwatch.ElapsedMilliseconds} ms");
        entries = await engine.ListEntriesAsync(new CampaignQuery(Limit: 5000), CancellationToken.None);
        Assert.That(entries.All(e => e.State == CampaignEntryState.Notified), Is.True);
        Assert.That(entries.All(e => e.NotifiedAt >= e.ScheduledAt), Is.True);
        Assert.That(receiver.Calls.Select(c => c.Serial).Distinct(StringComparer.OrdinalIgnoreCase).Count(), Is.EqualTo(1000));
        Assert.That(receiver.Calls.All(c => c.Method == "POST" && c.ContentType!.StartsWith("application/json", StringComparison.Ordinal)));

        // 100 meters of dcu-02 re-enroll: a newer certificate for the same subject flips their entries to renewed.
        bed.Clock.Advance(TimeSpan.FromHours(1));
        var renewedSubjects = entries.Where(e => e.Dcu == "dcu-02").Take(50).Concat(entries.Where(e => e.Dcu == "dcu-00").Take(50)).ToList();
        foreach (var entry in renewedSubjects)
        {
            await bed.AddMeterCertificateAsync(entry.SystemTitle!, entry.Dcu, entry.NotAfter.AddDays(3650));
        }
        var renewal = await engine.RunAsync(CancellationToken.None);
        Assert.That(renewal.Renewed, Is.EqualTo(100));
        Assert.That(renewal.Scheduled, Is.Zero, "the new certificates are far from their renewal window");

        // Days later the rest is overdue.
        bed.Clock.Advance(TimeSpan.FromDays(4));
        var late = await engine.RunAsync(CancellationToken.None);
        Assert.That(late.Overdue, Is.EqualTo(900));
        var summary = await engine.ListDcusAsync(CancellationToken.None);
        Assert.That(summary.Single(s => s.Dcu == "dcu-00"), Has.Property(nameof(CampaignDcuSummary.Renewed)).EqualTo(50)
            .And.Property(nameof(CampaignDcuSummary.Overdue)).EqualTo(250));
        Assert.That(summary.Single(s => s.Dcu == "dcu-02").Renewed, Is.EqualTo(50));
        Assert.That(summary.Sum(s => s.Due + s.Notified), Is.Zero);
        Assert.That(summary.Sum(s => s.Renewed + s.Overdue), Is.EqualTo(1000));
    }
}
