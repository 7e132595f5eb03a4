using AmiPki.Core.Audit;
using AmiPki.Core.Campaigns;
using AmiPki.Core.Jobs;
using AmiPki.Core.Revocation;
using AmiPki.Core.Storage;

namespace AmiPki.Storage.Tests.Contract;

/// <summary>Migration 0004: the job schedule, campaign entries and expiry marking (and that they survive a reopen).</summary>
public abstract partial class StorageContractTests
{
    private static readonly DateTimeOffset CampaignNow = new(2031, 5, 1, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task A_job_record_is_kept_across_a_reopen_and_replaced_by_the_next_run()
    {
        var record = new JobScheduleRecord("crl-publication", CampaignNow.AddMinutes(15), CampaignNow, CampaignNow.AddSeconds(1), "success", "issuing-s1 CRL #4", 3, 1);
        await Storage.JobSchedule.SaveAsync(record with { Runs = 2 }, CancellationToken.None);
        await Storage.JobSchedule.SaveAsync(record, CancellationToken.None);
        await ReopenAsync();
        Assert.That(await Storage.JobSchedule.ListAsync(CancellationToken.None), Is.EqualTo(new[] { record }));
    }

    [Test]
    public async Task Campaign_entries_are_added_once_updated_and_summarized_per_DCU()
    {
        var storage = Storage;
        var entry = new CampaignEntry("issuing-s1", "0A0B", "meter-s1-signing", "CN=4D4D4D0000000001", "4D4D4D0000000001", "dcu-1",
            CampaignNow.AddDays(30), CampaignNow.AddDays(-300), CampaignNow.AddHours(1), CampaignEntryState.Due, 0, CampaignNow.AddHours(1), null, null, null, null, CampaignNow);
        var other = entry with { SerialHex = "0A0C", Dcu = "", ScheduledAt = CampaignNow.AddHours(2) };
        Assert.That(await storage.Campaigns.AddAsync([entry, other], CancellationToken.None), Is.EqualTo(2));
        Assert.That(await storage.Campaigns.AddAsync([entry with { ScheduledAt = CampaignNow }], CancellationToken.None), Is.Zero, "already in a campaign");
        Assert.That(await storage.Campaigns.ContainsAsync("issuing-s1", "0a0b", CancellationToken.None), Is.True, "serials compare case-insensitively");

        var notified = entry with { State = CampaignEntryState.Notified, Attempts = 2, NotifiedAt = CampaignNow.AddHours(1.5), LastError = null };
        await storage.Campaigns.UpdateAsync([notified], CancellationToken.None);
        var listed = await storage.Campaigns.ListAsync(new CampaignQuery(Dcu: "dcu-1"), CancellationToken.None);
        Assert.That(listed, Is.EqualTo(new[] { notified }));
        Assert.That(await storage.Campaigns.ListAsync(new CampaignQuery(State: CampaignEntryState.Due, ScheduledBefore: CampaignNow.AddHours(1.5)),
            CancellationToken.None), Is.Empty);

        var summary = await storage.Campaigns.SummarizeByDcuAsync(CancellationToken.None);
        Assert.That(summary, Is.EqualTo(new[]
        {
            new CampaignDcuSummary("", 1, 0, 0, 0, CampaignNow.AddHours(2), CampaignNow.AddHours(2)),
            new CampaignDcuSummary("dcu-1", 0, 1, 0, 0, CampaignNow.AddHours(1), CampaignNow.AddHours(1)),
        }));
        Assert.That((await storage.Campaigns.LastScheduledByDcuAsync(CancellationToken.None))["dcu-1"], Is.EqualTo(CampaignNow.AddHours(1)));
    }

    [Test]
    public async Task Only_valid_unrevoked_certificates_in_no_campaign_are_picked_up_and_renewal_and_overdue_are_marked()
    {
        var storage = Storage;
        await IssueExpiringAsync(storage, "01", CampaignNow.AddDays(10));                        // picked up
        await IssueExpiringAsync(storage, "02", CampaignNow.AddDays(10));                        // revoked: left out
        await IssueExpiringAsync(storage, "03", CampaignNow.AddDays(10), protocol: "internal");  // AmiPki's own: left out
        await IssueExpiringAsync(storage, "04", CampaignNow.AddDays(-1));                        // expired: left out
        await IssueExpiringAsync(storage, "05", CampaignNow.AddDays(100));                       // not in the window yet
        await IssueExpiringAsync(storage, "06", CampaignNow.AddDays(20), subject: "CN=other");   // picked up, on the second page
        await storage.Revocations.RevokeAsync("issuing-s1", ["02"], new RevocationInfo(RevocationReason.KeyCompromise, CampaignNow, null), "admin", null,
            CancellationToken.None);
        var firstPage = await storage.Campaigns.ListUnscheduledAsync("dcu", CampaignNow, CampaignNow.AddDays(30), null, 1, CancellationToken.None);
        Assert.That(firstPage.Select(c => c.SerialHex), Is.EqualTo(new[] { "01" }));
        var secondPage = await storage.Campaigns.ListUnscheduledAsync("dcu", CampaignNow, CampaignNow.AddDays(30), firstPage[^1], 10, CancellationToken.None);
        Assert.That(secondPage.Select(c => c.SerialHex), Is.EqualTo(new[] { "06" }));

        var entries = firstPage.Concat(secondPage).Select(c => new CampaignEntry(c.Issuer, c.SerialHex, c.Profile, c.Subject, c.SystemTitle, "",
            c.NotAfter, c.CreatedAt, CampaignNow, CampaignEntryState.Due, 0, CampaignNow, null, null, null, null, CampaignNow)).ToList();
        await storage.Campaigns.AddAsync(entries, CancellationToken.None);
        Assert.That(await storage.Campaigns.ListUnscheduledAsync("dcu", CampaignNow, CampaignNow.AddDays(30), null, 10, CancellationToken.None), Is.Empty,
            "in a campaign already");

        // "01"'s subject gets a newer certificate: renewed, and never overdue; "06" stays unrenewed and becomes overdue.
        await IssueExpiringAsync(storage, "07", CampaignNow.AddDays(400), createdAt: CampaignNow.AddHours(1));
        Assert.That(await storage.Campaigns.MarkRenewedAsync(CancellationToken.None), Is.EqualTo(1));
        Assert.That(await storage.Campaigns.MarkOverdueAsync(CampaignNow, CampaignNow, CancellationToken.None), Is.EqualTo(1));
        var after = await storage.Campaigns.ListAsync(new CampaignQuery(), CancellationToken.None);
        Assert.That(after.Single(e => e.SerialHex == "01"), Has.Property(nameof(CampaignEntry.State)).EqualTo(CampaignEntryState.Renewed)
            .And.Property(nameof(CampaignEntry.RenewedBySerial)).EqualTo("07")
            .And.Property(nameof(CampaignEntry.RenewedAt)).EqualTo(CampaignNow.AddHours(1)));
        Assert.That(after.Single(e => e.SerialHex == "06").State, Is.EqualTo(CampaignEntryState.Overdue));
    }

    private static async Task IssueExpiringAsync(IAmiPkiStorage storage, string serial, DateTimeOffset notAfter, string protocol = "cmp", string subject = "CN=x",
        DateTimeOffset? createdAt = null)
    {
        await storage.Issuance.TryReserveAsync(new IssuanceIntent("issuing-s1", serial, "dcu", subject, CampaignNow.AddDays(-10), notAfter, "test", protocol,
            createdAt ?? CampaignNow), CancellationToken.None);
        await storage.Issuance.CompleteAsync("issuing-s1", serial, [0x30, 0x00], "00", new AuditEvent(CampaignNow, "issuance", "test", "success", serial),
            CancellationToken.None);
    }

    [Test]
    public async Task Housekeeping_marks_each_expired_certificate_once()
    {
        var storage = Storage;
        await IssueExpiringAsync(storage, "01", CampaignNow.AddDays(-1));
        await IssueExpiringAsync(storage, "02", CampaignNow.AddDays(1));
        Assert.That(await storage.Housekeeping.MarkExpiredAsync(CampaignNow, CancellationToken.None), Is.EqualTo(1));
        Assert.That(await storage.Housekeeping.MarkExpiredAsync(CampaignNow, CancellationToken.None), Is.Zero, "marked once");
        Assert.That(await storage.Housekeeping.MarkExpiredAsync(CampaignNow.AddDays(2), CancellationToken.None), Is.EqualTo(1));
    }
}
