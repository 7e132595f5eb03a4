using AmiPki.Core.Campaigns;
using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.Jobs;

/// <summary>The head-end webhook against a local receiver that fails: retried with exponential back-off, kept with each entry.</summary>
public sealed class WebhookRetryTests
{
    [Test]
    public async Task Failed_webhook_calls_are_retried_with_exponential_back_off_until_accepted()
    {
        await using var bed = await CampaignTestBed.CreateAsync();
        using var receiver = new WebhookReceiver(failFirst: 4);
        var options = new CampaignOptions { RetryBaseDelay = TimeSpan.FromSeconds(30), RetryMaxDelay = TimeSpan.FromMinutes(10), Jitter = 0 };
        using var notifier = CampaignTestBed.Webhook(options, receiver.Url);
        var engine = bed.Engine(options, notifier);
        var serial = await bed.AddMeterCertificateAsync("4D4D4D0000000001", "dcu-07", bed.Clock.GetUtcNow().AddDays(20));

        // The only entry is scheduled at once (no jitter): call 1 fails.
        var run = await engine.RunAsync(CancellationToken.None);
        Assert.That((run.Scheduled, run.Notified, run.NotifyFailures), Is.EqualTo((1, 0, 1)));
        var entry = await SingleAsync(engine);
        Assert.That(entry.State, Is.EqualTo(CampaignEntryState.Due));
        Assert.That(entry.Attempts, Is.EqualTo(1));
        Assert.That(entry.LastError, Does.Contain("503"));
        var failedAt = bed.Clock.GetUtcNow();
        Assert.That(entry.NextAttemptAt, Is.EqualTo(failedAt + TimeSpan.FromSeconds(30)));

        // Before the back-off ends nothing is sent.
        bed.Clock.Advance(TimeSpan.FromSeconds(29));
        await engine.RunAsync(CancellationToken.None);
        Assert.That(receiver.Calls, Has.Count.EqualTo(1));

        // Delays double: 30 s, 60 s, 120 s after failures 1, 2, 3; the 5th call is accepted.
        var expectedDelays = new[] { 30, 60, 120, 240 };
        for (var failure = 1; failure <= 3; failure++)
        {
            entry = await SingleAsync(engine);
            bed.Clock.Advance(entry.NextAttemptAt!.Value - bed.Clock.GetUtcNow());
            var at = bed.Clock.GetUtcNow();
            await engine.RunAsync(CancellationToken.None);
            entry = await SingleAsync(engine);
            Assert.That(entry.Attempts, Is.EqualTo(failure + 1));
            Assert.That(entry.NextAttemptAt, Is.EqualTo(at + TimeSpan.FromSeconds(expectedDelays[failure])), $"after failure {failure + 1}");
        }
        bed.Clock.Advance(entry.NextAttemptAt!.Value - bed.Clock.GetUtcNow());
        run = await engine.RunAsync(CancellationToken.None);
        Assert.That(run.Notified, Is.EqualTo(1));
        entry = await SingleAsync(engine);
        Assert.That(entry.State, Is.EqualTo(CampaignEntryState.Notified));
        Assert.That(entry.Attempts, Is.EqualTo(5));
        Assert.That(entry.LastError, Is.Null);
        Assert.That(receiver.Calls.Select(c => c.Accepted), Is.EqualTo(new[] { false, false, false, false, true }));
        Assert.That(receiver.Calls.Select(c => c.Serial), Is.All.EqualTo(serial));

        // Notified once: later passes call no more.
        bed.Clock.Advance(TimeSpan.FromHours(1));
        await engine.RunAsync(CancellationToken.None);
        Assert.That(receiver.Calls, Has.Count.EqualTo(5));
    }

    [Test]
    public async Task An_unreachable_head_end_is_a_recorded_failure_and_the_delay_is_capped()
    {
        await using var bed = await CampaignTestBed.CreateAsync();
        var options = new CampaignOptions { RetryBaseDelay = TimeSpan.FromSeconds(30), RetryMaxDelay = TimeSpan.FromMinutes(2), Jitter = 0 };
        // Nobody listens on this loopback port.
        using var notifier = CampaignTestBed.Webhook(options, $"http://127.0.0.1:{FreePort.Tcp()}/hook");
        var engine = bed.Engine(options, notifier);
        await bed.AddMeterCertificateAsync("4D4D4D0000000002", null, bed.Clock.GetUtcNow().AddDays(20));
        for (var i = 0; i < 5; i++)
        {
            var run = await engine.RunAsync(CancellationToken.None);
            Assert.That(run.NotifyFailures, Is.EqualTo(1));
            var entry = await SingleAsync(engine);
            Assert.That(entry.LastError, Does.Contain("could not be reached"));
            Assert.That(entry.NextAttemptAt - bed.Clock.GetUtcNow(), Is.LessThanOrEqualTo(options.RetryMaxDelay));
            bed.Clock.Advance(entry.NextAttemptAt!.Value - bed.Clock.GetUtcNow());
        }
        Assert.That((await SingleAsync(engine)).Attempts, Is.EqualTo(5));
        Assert.That(options.RetryDelay(5), Is.EqualTo(TimeSpan.FromMinutes(2)));
    }

    private static async Task<CampaignEntry> SingleAsync(ICampaignService engine) =>
        (await engine.ListEntriesAsync(new CampaignQuery(), CancellationToken.None)).Single();
}
