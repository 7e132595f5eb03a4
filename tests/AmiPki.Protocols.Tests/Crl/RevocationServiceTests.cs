using AmiPki.Core.Devices;
using AmiPki.Core.Revocation;
using AmiPki.Protocols.Tests.Ocsp;
using NUnit.Framework;

namespace AmiPki.Protocols.Tests.Crl;

/// <summary>Selections, lists, holds and progress of the revocation service over real storage.</summary>
public sealed class RevocationServiceTests
{
    [Test]
    public async Task Revoking_a_DCU_takes_every_page_and_nothing_else()
    {
        await using var bed = await RevocationTestBed.CreateAsync();
        const int behindDcu = RevocationService.PageSize + 5;
        await Task.WhenAll(Enumerable.Range(0, behindDcu).Select(i => bed.IssueMeterAsync($"4D4D4D01{i:X8}", dcu: "DCU-7")));
        var other = await bed.IssueMeterAsync("4D4D4D0200000001", dcu: "DCU-8");
        var reports = new List<RevocationProgress>();
        var result = await bed.Revocations.RevokeSelectionAsync(new RevocationSelection(Dcu: "DCU-7"), RevocationReason.AffiliationChanged, null, "test",
            new SyncProgress(reports), CancellationToken.None);
        Assert.That((result.Requested, result.Changed), Is.EqualTo((behindDcu, behindDcu)));
        Assert.That(reports.Last(), Is.EqualTo(new RevocationProgress("revoking", behindDcu, behindDcu)));
        var revoked = await CountRevokedAsync(bed, "issuing-s1");
        Assert.That(revoked, Is.EqualTo(behindDcu));
        Assert.That((await bed.Storage.Certificates.FindAsync("issuing-s1", other.SerialNumber, CancellationToken.None))!.Revocation, Is.Null);

        var again = await bed.Revocations.RevokeSelectionAsync(new RevocationSelection(Dcu: "DCU-7"), RevocationReason.KeyCompromise, null, "test", null,
            CancellationToken.None);
        Assert.That((again.Changed, again.Unchanged), Is.EqualTo((0, behindDcu)), "a final revocation stands");
    }

    [Test]
    public async Task Lot_and_DCU_selections_include_devices_the_registry_places_there_now()
    {
        await using var bed = await RevocationTestBed.CreateAsync();
        var meter = await bed.IssueMeterAsync("4D4D4D0300000001");
        await bed.Storage.Devices.UpsertAsync([new DeviceRecord("4D4D4D0300000001", null, "IDEV-1", "MMM", "LOT-9", "DCU-9", DateTimeOffset.UtcNow)],
            CancellationToken.None);
        var byLot = await bed.Revocations.RevokeSelectionAsync(new RevocationSelection(ManufacturerLot: "LOT-9"), RevocationReason.CertificateHold, null,
            "test", null, CancellationToken.None);
        Assert.That(byLot.Changed, Is.EqualTo(1));
        var release = await bed.Revocations.ReleaseHoldSelectionAsync(new RevocationSelection(Dcu: "DCU-9"), "test", null, CancellationToken.None);
        Assert.That(release.Changed, Is.EqualTo(1));
        Assert.That((await bed.Storage.Certificates.FindAsync("issuing-s1", meter.SerialNumber, CancellationToken.None))!.Revocation, Is.Null);
    }

    [Test]
    public async Task A_list_reports_serials_nobody_issued_and_a_hold_can_become_final()
    {
        await using var bed = await RevocationTestBed.CreateAsync();
        var meter = await bed.IssueMeterAsync("4D4D4D0400000001");
        var device = await bed.IssueMeterAsync("4D4D4D0400000002");
        var list = new[] { new SerialReference(null, meter.SerialNumber.ToLowerInvariant()), new SerialReference(null, "0102030405") };
        var held = await bed.Revocations.RevokeAsync(list, RevocationReason.CertificateHold, null, "test", null, CancellationToken.None);
        Assert.That((held.Changed, held.NotFound.Single().SerialHex), Is.EqualTo((1, "0102030405")));
        var final = await bed.Revocations.RevokeAsync(list, RevocationReason.KeyCompromise, DateTimeOffset.UtcNow.AddDays(-2), "test", null,
            CancellationToken.None);
        Assert.That(final.Changed, Is.EqualTo(1));
        var record = await bed.Storage.Certificates.FindAsync("issuing-s1", meter.SerialNumber, CancellationToken.None);
        Assert.That(record!.Revocation!.Reason, Is.EqualTo(RevocationReason.KeyCompromise));
        Assert.That(record.Revocation.InvalidityDate, Is.Not.Null);

        var byDevice = await bed.Revocations.RevokeSelectionAsync(new RevocationSelection(SystemTitle: "4D4D4D0400000002"), RevocationReason.Superseded, null,
            "test", null, CancellationToken.None);
        Assert.That(byDevice.Changed, Is.EqualTo(1));
        _ = device;
    }

    [Test]
    public async Task Empty_selections_unknown_issuers_and_removeFromCRL_are_refused()
    {
        await using var bed = await RevocationTestBed.CreateAsync();
        Assert.ThrowsAsync<ArgumentException>(() => bed.Revocations.RevokeSelectionAsync(new RevocationSelection(Issuer: "issuing-s1"),
            RevocationReason.Unspecified, null, "test", null, CancellationToken.None));
        Assert.ThrowsAsync<ArgumentException>(() => bed.Revocations.RevokeAsync([new SerialReference("nobody", "01")], RevocationReason.Unspecified, null,
            "test", null, CancellationToken.None));
        Assert.ThrowsAsync<ArgumentException>(() => bed.Revocations.RevokeAsync([new SerialReference(null, "01")], RevocationReason.RemoveFromCrl, null,
            "test", null, CancellationToken.None));
    }

    [TestCase("keyCompromise", RevocationReason.KeyCompromise)]
    [TestCase("key-compromise", RevocationReason.KeyCompromise)]
    [TestCase("CESSATION_OF_OPERATION", RevocationReason.CessationOfOperation)]
    [TestCase("6", RevocationReason.CertificateHold)]
    public void Reasons_parse_in_every_spelling(string text, RevocationReason expected) =>
        Assert.That(RevocationReasons.Parse(text), Is.EqualTo(expected));

    [TestCase("removeFromCRL")]
    [TestCase("8")]
    [TestCase("7")]
    [TestCase("bored")]
    public void Non_reasons_are_refused(string text) => Assert.Throws<ArgumentException>(() => RevocationReasons.Parse(text));

    [TestCase("01:ab:CD", null, "01ABCD")]
    [TestCase("issuing-s1 0x1abc", "issuing-s1", "1ABC")]
    [TestCase("root,abc # comment", "root", "0ABC")]
    public void List_lines_parse(string line, string? issuer, string serial) =>
        Assert.That(SerialReference.ParseLine(line), Is.EqualTo(new SerialReference(issuer, serial)));

    private static async Task<int> CountRevokedAsync(RevocationTestBed bed, string issuer)
    {
        var count = 0;
        await foreach (var _ in bed.Storage.Revocations.ListRevokedAsync(issuer, null, CancellationToken.None))
        {
            count++;
        }
        return count;
    }

    private sealed class SyncProgress(List<RevocationProgress> reports) : IProgress<RevocationProgress>
    {
        public void Report(RevocationProgress value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
