using AmiPki.Core.Audit;
using AmiPki.Core.Campaigns;
using AmiPki.Core.Jobs;
using AmiPki.Core.Revocation;
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
    public async Task Only_valid_unrevoked_certificates_in_no_campaign_are_picked_up_and_renewal_and_overdue_are_marked()
    {
        await using var storage = await OpenAsync();
        await IssueAsync(storage, "01", Now.AddDays(10));                        // picked up
        await IssueAsync(storage, "02", Now.AddDays(10));                        // revoked: left out
        await IssueAsync(storage, "03", Now.AddDays(10), protocol: "internal");  // AmiPki's own: left out
        await IssueAsync(storage, "04", Now.AddDays(-1));                        // expired: left out
        await IssueAsync(storage, "05", Now.AddDays(100));                       // not in the window yet
        await IssueAsync(storage, "06", Now.AddDays(20), subject: "CN=other");   // picked up, on the second page
        await storage.Revocations.RevokeAsync("issuing-s1", ["02"], new RevocationInfo(RevocationReason.KeyCompromise, Now, null), "admin", null,
            CancellationToken.None);
        var firstPage = await storage.Campaigns.ListUnscheduledAsync("dcu", Now, Now.AddDays(30), null, 1, CancellationToken.None);
        Assert.That(firstPage.Select(c => c.SerialHex), Is.EqualTo(new[] { "01" }));
        var secondPage = await storage.Campaigns.ListUnscheduledAsync("dcu", Now, Now.AddDays(30), firstPage[^1], 10, CancellationToken.None);
        Assert.That(secondPage.Select(c => c.SerialHex), Is.EqualTo(new[] { "06" }));

        var entries = firstPage.Concat(secondPage).Select(c => new CampaignEntry(c.Issuer, c.SerialHex, c.Profile, c.Subject, c.SystemTitle, "",
            c.NotAfter, c.CreatedAt, Now, CampaignEntryState.Due, 0, Now, null, null, null, null, Now)).ToList();
        await storage.Campaigns.AddAsync(entries, CancellationToken.None);
        Assert.That(await storage.Campaigns.ListUnscheduledAsync("dcu", Now, Now.AddDays(30), null, 10, CancellationToken.None), Is.Empty,
            "in a campaign already");

        // "01"'s subject gets a newer certificate: renewed, and never overdue; "06" stays unrenewed and becomes overdue.
        await IssueAsync(storage, "07", Now.AddDays(400), createdAt: Now.AddHours(1));
        Assert.That(await storage.Campaigns.MarkRenewedAsync(CancellationToken.None), Is.EqualTo(1));
        Assert.That(await storage.Campaigns.MarkOverdueAsync(Now, Now, CancellationToken.None), Is.EqualTo(1));
        var after = await storage.Campaigns.ListAsync(new CampaignQuery(), CancellationToken.None);
        Assert.That(after.Single(e => e.SerialHex == "01"), Has.Property(nameof(CampaignEntry.State)).EqualTo(CampaignEntryState.Renewed)
            .And.Property(nameof(CampaignEntry.RenewedBySerial)).EqualTo("07")
            .And.Property(nameof(CampaignEntry.RenewedAt)).EqualTo(Now.AddHours(1)));
        Assert.That(after.Single(e => e.SerialHex == "06").State, Is.EqualTo(CampaignEntryState.Overdue));
    }

    private static async Task IssueAsync(SqliteStorage storage, string serial, DateTimeOffset notAfter, string protocol = "cmp", string subject = "CN=x",
        DateTimeOffset? createdAt = null)
    {
        await storage.Issuance.TryReserveAsync(new IssuanceIntent("issuing-s1", serial, "dcu", subject, Now.AddDays(-10), notAfter, "test", protocol,
            createdAt ?? Now), CancellationToken.None);
        await storage.Issuance.CompleteAsync("issuing-s1", serial, [0x30, 0x00], "00", new AuditEvent(Now, "issuance", "test", "success", serial),
            CancellationToken.None);
    }

    [Test]
    public async Task Housekeeping_marks_each_expired_certificate_once()
    {
        await using var storage = await OpenAsync();
        await IssueAsync(storage, "01", Now.AddDays(-1));
        await IssueAsync(storage, "02", Now.AddDays(1));
        Assert.That(await storage.Housekeeping.MarkExpiredAsync(Now, CancellationToken.None), Is.EqualTo(1));
        Assert.That(await storage.Housekeeping.MarkExpiredAsync(Now, CancellationToken.None), Is.Zero, "marked once");
        Assert.That(await storage.Housekeeping.MarkExpiredAsync(Now.AddDays(2), CancellationToken.None), Is.EqualTo(1));
    }
}
