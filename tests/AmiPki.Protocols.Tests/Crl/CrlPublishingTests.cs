using AmiPki.Core.Revocation;
using AmiPki.Protocols.Crl;
using AmiPki.Protocols.Tests.Ocsp;
using AmiPki.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace AmiPki.Protocols.Tests.Crl;

/// <summary>CRL numbers, complete and delta CRLs after revocations, the storage watcher, and the HTTP side.</summary>
public sealed class CrlPublishingTests
{
    [Test]
    public async Task CRL_numbers_increase_and_survive_a_restart()
    {
        await using var bed = await RevocationTestBed.CreateAsync();
        var generator = bed.CrlGenerator();
        var ca = bed.Ca("issuing-s1");
        var first = await generator.BuildFullAsync(ca, TimeSpan.FromDays(1), true, CancellationToken.None);
        var second = await generator.BuildDeltaAsync(ca, first.Number, DateTimeOffset.UtcNow.AddHours(-1), TimeSpan.FromHours(1), CancellationToken.None);
        Assert.That(second.Number, Is.GreaterThan(first.Number), "complete and delta CRLs share one sequence (RFC 5280 §5.2.3)");

        var path = Path.Combine(bed.Directory, "amipki.db");
        await using (var reopened = await SqliteStorage.OpenAsync(path, "other", TimeProvider.System, CancellationToken.None))
        {
            var afterRestart = await new Core.Crl.CrlGenerator(reopened.Revocations, TimeProvider.System).BuildFullAsync(ca, TimeSpan.FromDays(1), true,
                CancellationToken.None);
            Assert.That(afterRestart.Number, Is.GreaterThan(second.Number));
        }
    }

    [Test]
    public async Task An_issuing_CA_CRL_is_scoped_to_its_CDP_and_a_root_CRL_has_no_IDP_so_it_covers_the_root_itself()
    {
        await using var bed = await RevocationTestBed.CreateAsync();
        var generator = bed.CrlGenerator();
        var root = bed.Ca("root");
        var issuing = bed.Ca("issuing-s1");
        var issuingFull = CrlReader.Read((await generator.BuildFullAsync(issuing, TimeSpan.FromDays(1), true, CancellationToken.None)).Der);
        Assert.That(issuingFull.Extensions["2.5.29.28"].Critical, Is.True, "the end-entity CRL keeps its critical IDP");
        Assert.That(issuingFull.Extensions["2.5.29.28"].Value, Is.EqualTo(Core.Crl.CrlEncoder.EncodeIssuingDistributionPoint(issuing.Record.CrlUrl!)));

        // RFC 5280 §6.3.3 b.2: an IDP distributionPoint matches no certificate without a CDP, and the self-signed root
        // has none; OpenSSL -crl_check_all checks the root against its own CRL ("different CRL scope" otherwise).
        Assert.That(root.Certificate.Extensions["2.5.29.31"], Is.Null, "the root carries no CDP");
        var rootFull = await generator.BuildFullAsync(root, TimeSpan.FromDays(1), true, CancellationToken.None);
        var rootDelta = await generator.BuildDeltaAsync(root, rootFull.Number, DateTimeOffset.UtcNow.AddHours(-1), TimeSpan.FromHours(1), CancellationToken.None);
        var full = CrlReader.Read(rootFull.Der);
        var delta = CrlReader.Read(rootDelta.Der);
        Assert.That(full.Extensions.ContainsKey("2.5.29.28"), Is.False, "no IDP: the root's CRL covers everything the root issued");
        Assert.That(delta.Extensions.ContainsKey("2.5.29.28"), Is.False, "the delta has the same (full) scope as its base (§5.2.4)");
        Assert.That(full.Extensions.ContainsKey("2.5.29.46"), Is.True, "the Freshest CRL still points at the delta");
        Assert.That(delta.Extensions["2.5.29.27"].Critical, Is.True);
    }

    [Test]
    public async Task A_revocation_reaches_the_complete_CRL_and_the_delta_on_the_unchanged_base()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var bed = await RevocationTestBed.CreateAsync(clock);
        var meter = await bed.IssueMeterAsync("4D4D4D0000000101");
        var options = new CrlPublishingOptions();
        using var publisher = new CrlPublisher(bed.Authorities, bed.CrlGenerator(), bed.Notifier, clock, options, NullLogger<CrlPublisher>.Instance);
        var baseCrl = (await publisher.GetAsync("issuing-s1", false, CancellationToken.None))!;
        Assert.That(baseCrl.EntryCount, Is.Zero);

        clock.Advance(TimeSpan.FromSeconds(5));
        await bed.Revocations.RevokeAsync([new SerialReference(null, meter.SerialNumber)], RevocationReason.Superseded, null, "test", null,
            CancellationToken.None);
        clock.Advance(options.RevocationDebounce);
        await publisher.RunDueAsync(CancellationToken.None);

        var full = (await publisher.GetAsync("issuing-s1", false, CancellationToken.None))!;
        var delta = (await publisher.GetAsync("issuing-s1", true, CancellationToken.None))!;
        Assert.That(full.Number, Is.GreaterThan(baseCrl.Number));
        Assert.That(CrlReader.Read(full.Der).Entries.Select(e => e.SerialHex), Is.EqualTo(new[] { meter.SerialNumber }));
        Assert.That(delta.DeltaBaseNumber, Is.EqualTo(baseCrl.Number), "the base stays until the base interval");
        Assert.That(delta.Number, Is.GreaterThan(full.Number));
        var entry = CrlReader.Read(delta.Der).Entries.Single();
        Assert.That((entry.SerialHex, entry.Reason), Is.EqualTo((meter.SerialNumber, (RevocationReason?)RevocationReason.Superseded)));
        // Nothing dirty: no rebuild on the next tick.
        await publisher.RunDueAsync(CancellationToken.None);
        Assert.That((await publisher.GetAsync("issuing-s1", false, CancellationToken.None))!.Number, Is.EqualTo(full.Number));
    }

    [Test]
    public async Task A_released_hold_leaves_the_complete_CRL_and_shows_as_removeFromCRL_in_the_delta()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var bed = await RevocationTestBed.CreateAsync(clock);
        var meter = await bed.IssueMeterAsync("4D4D4D0000000102");
        var options = new CrlPublishingOptions();
        using var publisher = new CrlPublisher(bed.Authorities, bed.CrlGenerator(), bed.Notifier, clock, options, NullLogger<CrlPublisher>.Instance);
        await publisher.GetAsync("issuing-s1", false, CancellationToken.None);
        var reference = new SerialReference("issuing-s1", meter.SerialNumber);
        await bed.Revocations.RevokeAsync([reference], RevocationReason.CertificateHold, null, "test", null, CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(2));
        await bed.Revocations.ReleaseHoldAsync([reference], "test", null, CancellationToken.None);
        clock.Advance(options.RevocationDebounce);
        await publisher.RunDueAsync(CancellationToken.None);
        var full = CrlReader.Read((await publisher.GetAsync("issuing-s1", false, CancellationToken.None))!.Der);
        var delta = CrlReader.Read((await publisher.GetAsync("issuing-s1", true, CancellationToken.None))!.Der);
        Assert.That(full.HasRevokedCertificates, Is.False);
        Assert.That(delta.Entries.Single().Reason, Is.EqualTo(RevocationReason.RemoveFromCrl));
    }

    [Test]
    public async Task The_watcher_publishes_revocations_made_by_another_process_once()
    {
        await using var bed = await RevocationTestBed.CreateAsync();
        var meter = await bed.IssueMeterAsync("4D4D4D0000000103");
        var serverNotifier = new RevocationNotifier();
        var heard = new List<RevocationChange>();
        using var subscription = serverNotifier.Subscribe(new Listener(heard));
        using var watcher = new RevocationWatcher(bed.Storage.Revocations, bed.Authorities.Names, serverNotifier, TimeProvider.System, TimeSpan.FromMinutes(10));
        await watcher.PollAsync(CancellationToken.None);
        Assert.That(heard, Is.Empty);
        // bed.Revocations publishes to its own notifier: to the "server" this is another process.
        await bed.Revocations.RevokeAsync([new SerialReference(null, meter.SerialNumber)], RevocationReason.KeyCompromise, null, "cli", null,
            CancellationToken.None);
        Assert.That(await watcher.PollAsync(CancellationToken.None), Is.EqualTo(1));
        Assert.That(heard.Single().SerialHexes, Is.EqualTo(new[] { meter.SerialNumber }));
        Assert.That(await watcher.PollAsync(CancellationToken.None), Is.Zero, "published once");
    }

    private sealed class Listener(List<RevocationChange> heard) : IRevocationListener
    {
        public void OnRevocationChanged(RevocationChange change) => heard.Add(change);
    }
}
