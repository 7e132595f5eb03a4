using AmiPki.Core.Audit;
using AmiPki.Core.Campaigns;
using AmiPki.Core.Jobs;
using AmiPki.Core.Storage;
using AmiPki.Storage.Sqlite;

namespace AmiPki.Storage.Tests.Sqlite;

/// <summary>Migration 0003: the job schedule, campaign entries and expiry marking survive a reopen.</summary>
[TestFixture]
public sealed class SqliteJobsAndCampaignsTests
{
    private static readonly DateTimeOffset Now = new(2031, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private SqliteStorageFactory _files = null!;

    [SetUp]
    public void CreateDirectory() => _files = new SqliteStorageFactory();

    [TearDown]
    public async Task DeleteDirectory() => await _files.DisposeAsync();

    private Task<SqliteStorage> OpenAsync() => SqliteStorage.OpenAsync(_files.DatabasePath, "node-a", TimeProvider.System, CancellationToken.None);

    [Test]
    public async Task A_job_record_is_kept_across_a_reopen_and_replaced_by_the_next_run()
    {
        var record = new JobScheduleRecord("crl-publication", Now.AddMinutes(15), Now, Now.AddSeconds(1), "success", "issuing-s1 CRL #4", 3, 1);
        await using (var storage = await OpenAsync())
        {
            await storage.JobSchedule.SaveAsync(record with { Runs = 2 }, CancellationToken.None);
            await storage.JobSchedule.SaveAsync(record, CancellationToken.None);
        }
        await using (var reopened = await OpenAsync())
        {
            Assert.That(await reopened.JobSchedule.ListAsync(CancellationToken.None), Is.EqualTo(new[] { record }));
        }
    }

    [Test]
    public async Task Campaign_entries_are_added_once_updated_and_summarized_per_DCU()
    {
        await using var storage = await OpenAsync();
        var entry = new CampaignEntry("issuing-s1", "0A0B", "meter-s1-signing", "CN=4D4D4D0000000001", "4D4D4D0000000001", "dcu-1",
            Now.AddDays(30), Now.AddDays(-300), Now.AddHours(1), CampaignEntryState.Due, 0, Now.AddHours(1), null, null, null, null, Now);
        var other = entry with { SerialHex = "0A0C", Dcu = "", ScheduledAt = Now.AddHours(2) };
        Assert.That(await storage.Campaigns.AddAsync([entry, other], CancellationToken.None), Is.EqualTo(2));
        Assert.That(await storage.Campaigns.AddAsync([entry with { ScheduledAt = Now }], CancellationToken.None), Is.Zero, "already in a campaign");
        Assert.That(await storage.Campaigns.ContainsAsync("issuing-s1", "0a0b", CancellationToken.None), Is.True, "serials compare case-insensitively");

        var notified = entry with { State = CampaignEntryState.Notified, Attempts = 2, NotifiedAt = Now.AddHours(1.5), LastError = null };
        await storage.Campaigns.UpdateAsync([notified], CancellationToken.None);
        var listed = await storage.Campaigns.ListAsync(new CampaignQuery(Dcu: "dcu-1"), CancellationToken.None);
        Assert.That(listed, Is.EqualTo(new[] { notified }));
        Assert.That(await storage.Campaigns.ListAsync(new CampaignQuery(State: CampaignEntryState.Due, ScheduledBefore: Now.AddHours(1.5)),
            CancellationToken.None), Is.Empty);

        var summary = await storage.Campaigns.SummarizeByDcuAsync(CancellationToken.None);
        Assert.That(summary, Is.EqualTo(new[]
        {
            new CampaignDcuSummary("", 1, 0, 0, 0, Now.AddHours(2), Now.AddHours(2)),
            new CampaignDcuSummary("dcu-1", 0, 1, 0, 0, Now.AddHours(1), Now.AddHours(1)),
        }));
        Assert.That((await storage.Campaigns.LastScheduledByDcuAsync(CancellationToken.None))["dcu-1"], Is.EqualTo(Now.AddHours(1)));
    }

    [Test]
    public async Task Housekeeping_marks_each_expired_certificate_once()
    {
        await using var storage = await OpenAsync();
        foreach (var (serial, notAfter) in new[] { ("01", Now.AddDays(-1)), ("02", Now.AddDays(1)) })
        {
            await storage.Issuance.TryReserveAsync(new IssuanceIntent("issuing-s1", serial, "dcu", "CN=x", Now.AddDays(-10), notAfter, "test", "cli", Now),
                CancellationToken.None);
            await storage.Issuance.CompleteAsync("issuing-s1", serial, [0x30, 0x00], "00", new AuditEvent(Now, "issuance", "test", "success", serial),
                CancellationToken.None);
        }
        Assert.That(await storage.Housekeeping.MarkExpiredAsync(Now, CancellationToken.None), Is.EqualTo(1));
        Assert.That(await storage.Housekeeping.MarkExpiredAsync(Now, CancellationToken.None), Is.Zero, "marked once");
        Assert.That(await storage.Housekeeping.MarkExpiredAsync(Now.AddDays(2), CancellationToken.None), Is.EqualTo(1));
    }
}
