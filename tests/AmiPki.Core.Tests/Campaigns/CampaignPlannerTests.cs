using AmiPki.Core.Campaigns;

namespace AmiPki.Core.Tests.Campaigns;

/// <summary>How the planner spreads one DCU's renewals (the 1,000-certificate campaign over SQLite is in the interop tests).</summary>
public sealed class CampaignPlannerTests
{
    private static readonly DateTimeOffset Now = new(2031, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public void Without_jitter_renewals_are_evenly_spaced_over_the_window()
    {
        var planner = new CampaignPlanner(new CampaignOptions { SpreadWindow = TimeSpan.FromHours(4), MaxPerDcuPerWindow = 100, Jitter = 0 }, new Random(1));
        var planned = planner.PlanDcu(Entries(8), Now, null);
        Assert.That(planned.Select(e => e.ScheduledAt), Is.EqualTo(Enumerable.Range(0, 8).Select(i => Now + TimeSpan.FromMinutes(30 * i))));
        Assert.That(planned.All(e => e.State == CampaignEntryState.Due && e.NextAttemptAt == e.ScheduledAt));
    }

    [Test]
    public void Beyond_the_per_window_limit_renewals_spill_into_the_next_windows()
    {
        var options = new CampaignOptions { SpreadWindow = TimeSpan.FromHours(1), MaxPerDcuPerWindow = 10, Jitter = 1 };
        var planner = new CampaignPlanner(options, new Random(7));
        var planned = planner.PlanDcu(Entries(25), Now, null).Select(e => e.ScheduledAt).Order().ToList();
        var perWindow = planned.GroupBy(t => (int)((t - Now) / options.SpreadWindow)).Select(g => g.Count()).ToList();
        Assert.That(perWindow, Is.EqualTo(new[] { 10, 10, 5 }));
    }

    [Test]
    public void A_later_pass_continues_after_the_DCUs_last_renewal()
    {
        var options = new CampaignOptions { SpreadWindow = TimeSpan.FromHours(4), MaxPerDcuPerWindow = 240, Jitter = 0.5 };
        var planner = new CampaignPlanner(options, new Random(3));
        var last = Now + TimeSpan.FromHours(3);
        var planned = planner.PlanDcu(Entries(5), Now, last);
        Assert.That(planned.Min(e => e.ScheduledAt), Is.GreaterThanOrEqualTo(last + TimeSpan.FromMinutes(1)), "4 h / 240 after the last one");
    }

    [Test]
    public void Retry_delays_double_up_to_the_cap()
    {
        var options = new CampaignOptions { RetryBaseDelay = TimeSpan.FromSeconds(10), RetryMaxDelay = TimeSpan.FromSeconds(60) };
        Assert.That(Enumerable.Range(1, 5).Select(options.RetryDelay).Select(d => d.TotalSeconds), Is.EqualTo(new[] { 10.0, 20, 40, 60, 60 }));
    }

    [TestCase(0, 0.5)]
    [TestCase(10, 1.5)]
    public void Invalid_options_are_refused(int maxPerWindow, double jitter) =>
        Assert.Throws<ArgumentException>(() => _ = new CampaignPlanner(new CampaignOptions { MaxPerDcuPerWindow = maxPerWindow, Jitter = jitter }, new Random(1)));

    private static List<CampaignEntry> Entries(int count) => Enumerable.Range(0, count).Select(i => new CampaignEntry("issuing-s1", $"{i:X32}",
        "meter-s1-signing", $"CN=4D4D4D{i:X10}", $"4D4D4D{i:X10}", "dcu-1", Now.AddDays(30 + i), Now.AddDays(-3000), Now, CampaignEntryState.Due, 0,
        null, null, null, null, null, Now)).ToList();
}
