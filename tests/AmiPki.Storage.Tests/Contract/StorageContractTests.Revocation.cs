using AmiPki.Core.Revocation;
using AmiPki.Core.Storage;

namespace AmiPki.Storage.Tests.Contract;

public abstract partial class StorageContractTests
{
    private static RevocationInfo Revocation(RevocationReason reason, int day = 1) => new(reason, T0.AddDays(day), null);

    private async Task<int> RevokeAsync(RevocationReason reason, params string[] serials) =>
        await Storage.Revocations.RevokeAsync(Issuer, serials, Revocation(reason), "admin", null, CancellationToken.None);

    private async Task<List<RevokedEntry>> ListRevokedAsync(DateTimeOffset? since = null, string issuer = Issuer)
    {
        var entries = new List<RevokedEntry>();
        await foreach (var entry in Storage.Revocations.ListRevokedAsync(issuer, since, CancellationToken.None))
        {
            entries.Add(entry);
        }
        return entries;
    }

    [Test]
    public async Task Revoke_skips_serials_never_issued_failed_or_already_revoked()
    {
        await IssueAsync(Intent(Serial(1)));
        await IssueAsync(Intent(Serial(2)));
        await Storage.Issuance.TryReserveAsync(Intent(Serial(3)), CancellationToken.None);
        await Storage.Issuance.AbandonAsync(Issuer, Serial(3), IssuedEvent(Serial(3)) with { Outcome = "failed" }, CancellationToken.None);
        await IssueAsync(Intent(Serial(4), issuer: "issuing-p384"));

        Assert.That(await RevokeAsync(RevocationReason.KeyCompromise, Serial(1), Serial(2), Serial(3), Serial(4), Serial(99), Serial(1)), Is.EqualTo(2));
        Assert.That(await RevokeAsync(RevocationReason.Superseded, Serial(1)), Is.EqualTo(0), "a final revocation is final");
        Assert.That((await Storage.Certificates.FindAsync(Issuer, Serial(1), CancellationToken.None))!.Revocation!.Reason,
            Is.EqualTo(RevocationReason.KeyCompromise));
        Assert.That((await ListRevokedAsync()).Select(e => e.SerialHex), Is.EquivalentTo(new[] { Serial(1), Serial(2) }));
        Assert.That(await ListRevokedAsync(issuer: "issuing-p384"), Is.Empty);
    }

    [Test]
    public async Task Revoke_writes_one_audit_entry_per_revoked_certificate()
    {
        await IssueAsync(Intent(Serial(1)));
        await IssueAsync(Intent(Serial(2)));

        await RevokeAsync(RevocationReason.CessationOfOperation, Serial(1), Serial(2), Serial(3));

        var revocations = (await ReadAuditAsync()).Where(e => e.Event.Kind == "revocation").ToList();
        Assert.That(revocations, Has.Count.EqualTo(2));
        Assert.That(revocations.Select(e => e.Event.Actor), Is.All.EqualTo("admin"));
        Assert.That(revocations[0].Event.Detail, Does.Contain(Serial(1)).And.Contain("reason=cessationOfOperation"));
        Assert.That((await VerifyAuditAsync()).IsIntact, Is.True);
    }

    [Test]
    public async Task A_reserved_serial_still_signing_is_revocable()
    {
        await Storage.Issuance.TryReserveAsync(Intent(Serial(1)), CancellationToken.None);

        Assert.That(await RevokeAsync(RevocationReason.KeyCompromise, Serial(1)), Is.EqualTo(1));

        var record = await Storage.Certificates.FindAsync(Issuer, Serial(1), CancellationToken.None);
        Assert.That(record!.State, Is.EqualTo(CertificateState.Signing));
        Assert.That(record.Revocation, Is.EqualTo(Revocation(RevocationReason.KeyCompromise)));
        Assert.That((await ListRevokedAsync()).Single().SerialHex, Is.EqualTo(Serial(1)));
    }

    [Test]
    public async Task A_hold_can_become_final_but_not_be_held_again()
    {
        await IssueAsync(Intent(Serial(1)));

        Assert.That(await RevokeAsync(RevocationReason.CertificateHold, Serial(1)), Is.EqualTo(1));
        Assert.That(await RevokeAsync(RevocationReason.CertificateHold, Serial(1)), Is.EqualTo(0));
        Assert.That(await RevokeAsync(RevocationReason.KeyCompromise, Serial(1)), Is.EqualTo(1));

        Assert.That((await Storage.Certificates.FindAsync(Issuer, Serial(1), CancellationToken.None))!.Revocation!.Reason,
            Is.EqualTo(RevocationReason.KeyCompromise));
        Assert.That(await Storage.Revocations.ReleaseHoldAsync(Issuer, Serial(1), "admin", CancellationToken.None), Is.False,
            "a final revocation is no hold");
    }

    [Test]
    public async Task Releasing_a_hold_makes_the_certificate_good_and_revocable_again()
    {
        await IssueAsync(Intent(Serial(1)));
        await IssueAsync(Intent(Serial(2)));
        await RevokeAsync(RevocationReason.CertificateHold, Serial(1));
        var beforeRelease = DateTimeOffset.UtcNow.AddSeconds(-1);

        Assert.That(await Storage.Revocations.ReleaseHoldAsync(Issuer, Serial(1), "admin", CancellationToken.None), Is.True);
        Assert.That(await Storage.Revocations.ReleaseHoldAsync(Issuer, Serial(1), "admin", CancellationToken.None), Is.False, "released once");
        Assert.That(await Storage.Revocations.ReleaseHoldAsync(Issuer, Serial(2), "admin", CancellationToken.None), Is.False, "never held");

        Assert.That((await Storage.Certificates.FindAsync(Issuer, Serial(1), CancellationToken.None))!.Revocation, Is.Null);
        Assert.That(await ListRevokedAsync(), Is.Empty, "not on a full CRL");
        var delta = await ListRevokedAsync(since: beforeRelease);
        Assert.That(delta.Single(), Is.EqualTo(new RevokedEntry(Serial(1), new RevocationInfo(RevocationReason.RemoveFromCrl, T0.AddDays(1), null))),
            "a delta CRL tells relying parties to drop it");
        Assert.That((await ReadAuditAsync()).Count(e => e.Event.Kind.StartsWith("revocation", StringComparison.Ordinal)), Is.EqualTo(2));

        Assert.That(await RevokeAsync(RevocationReason.Superseded, Serial(1)), Is.EqualTo(1));
        Assert.That((await ListRevokedAsync()).Single().Revocation.Reason, Is.EqualTo(RevocationReason.Superseded));
    }

    [Test]
    public async Task List_revoked_since_returns_only_newer_revocations()
    {
        await IssueAsync(Intent(Serial(1)));
        await IssueAsync(Intent(Serial(2)));
        await Storage.Revocations.RevokeAsync(Issuer, [Serial(1)], Revocation(RevocationReason.Unspecified, day: 1), "admin", null, CancellationToken.None);
        await Storage.Revocations.RevokeAsync(Issuer, [Serial(2)], Revocation(RevocationReason.Unspecified, day: 3), "admin", null, CancellationToken.None);

        Assert.That((await ListRevokedAsync(since: T0.AddDays(2))).Select(e => e.SerialHex), Is.EqualTo(new[] { Serial(2) }));
        Assert.That((await ListRevokedAsync()).Select(e => e.SerialHex), Is.EqualTo(new[] { Serial(1), Serial(2) }));
    }

    [Test]
    public void RemoveFromCrl_is_not_a_revocation_reason()
    {
        Assert.ThrowsAsync<ArgumentException>(() => RevokeAsync(RevocationReason.RemoveFromCrl, Serial(1)));
    }

    [Test]
    public async Task Revoke_100000_certificates_in_one_call()
    {
        const int count = 100_000;
        var serials = Enumerable.Range(0, count).Select(Serial).ToArray();
        // Reserved (Signing) rather than issued, to keep the set-up short: both states are revocable.
        await Parallel.ForEachAsync(serials, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (serial, ct) =>
        {
            Assert.That(await Storage.Issuance.TryReserveAsync(Intent(serial), ct), Is.True);
        });
        var reports = new List<int>();
        var progress = new SynchronousProgress(reports);

        var revoked = await Storage.Revocations.RevokeAsync(Issuer, serials.Append(Serial(count + 1)).ToArray(),
            Revocation(RevocationReason.CessationOfOperation), "admin", progress, CancellationToken.None);

        Assert.That(revoked, Is.EqualTo(count));
        Assert.That(reports, Is.Not.Empty.And.Ordered);
        Assert.That(reports[^1], Is.EqualTo(count));
        Assert.That(await ListRevokedAsync(), Has.Count.EqualTo(count));
        Assert.That((await Storage.Certificates.FindAsync(Issuer, Serial(count / 2), CancellationToken.None))!.Revocation, Is.Not.Null);
        var verification = await VerifyAuditAsync();
        Assert.That(verification.IsIntact, Is.True, verification.Problem);
        Assert.That(verification.EntriesChecked, Is.EqualTo(count));
    }

    [Test]
    public async Task Crl_numbers_are_monotonic_per_issuer_and_across_reopening()
    {
        Assert.That(await Storage.Revocations.NextCrlNumberAsync(Issuer, CancellationToken.None), Is.EqualTo(1));
        Assert.That(await Storage.Revocations.NextCrlNumberAsync(Issuer, CancellationToken.None), Is.EqualTo(2));
        Assert.That(await Storage.Revocations.NextCrlNumberAsync("issuing-p384", CancellationToken.None), Is.EqualTo(1));

        await ReopenAsync();
        Assert.That(await Storage.Revocations.NextCrlNumberAsync(Issuer, CancellationToken.None), Is.EqualTo(3));

        var concurrent = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Storage.Revocations.NextCrlNumberAsync(Issuer, CancellationToken.None)));
        Assert.That(concurrent, Is.EquivalentTo(Enumerable.Range(4, 100).Select(n => (long)n)));
    }

    /// <summary>Records reports as they are made (<see cref="Progress{T}"/> would post them to the thread pool, out of order).</summary>
    private sealed class SynchronousProgress(List<int> reports) : IProgress<int>
    {
        public void Report(int value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
