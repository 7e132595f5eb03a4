using AmiPki.Core.Audit;
using AmiPki.Core.Storage;

namespace AmiPki.Storage.Tests.Contract;

public abstract partial class StorageContractTests
{
    [Test]
    public async Task Reserve_records_a_signing_intent_with_every_field()
    {
        var intent = Intent(Serial(1), systemTitle: "4d4d4d0000bc614e", dcu: "dcu-7", lot: "lot-2026-03") with { CreatedAt = T0.AddMinutes(1) };

        Assert.That(await Storage.Issuance.TryReserveAsync(intent, CancellationToken.None), Is.True);

        var record = await Storage.Certificates.FindAsync(Issuer, Serial(1), CancellationToken.None);
        Assert.That(record, Is.Not.Null);
        Assert.That(record!, Is.EqualTo(new CertificateRecord(Issuer, Serial(1), CertificateState.Signing, intent.Profile, intent.Subject,
            intent.NotBefore, intent.NotAfter, null, null, intent.Requester, intent.Protocol, intent.CreatedAt, intent.SystemTitle,
            intent.Dcu, intent.ManufacturerLot, intent.DeviceId, null)).Using<CertificateRecord>(SameRecord));
    }

    [Test]
    public async Task A_serial_is_reserved_once_per_issuer_in_any_letter_case()
    {
        Assert.That(await Storage.Issuance.TryReserveAsync(Intent(Serial(1)), CancellationToken.None), Is.True);

        Assert.That(await Storage.Issuance.TryReserveAsync(Intent(Serial(1), profile: "other"), CancellationToken.None), Is.False);
        Assert.That(await Storage.Issuance.TryReserveAsync(Intent(Serial(1).ToUpperInvariant()), CancellationToken.None), Is.False);
        Assert.That(await Storage.Issuance.TryReserveAsync(Intent(Serial(1), issuer: "issuing-p384"), CancellationToken.None), Is.True,
            "another issuer may use the same serial");
    }

    [Test]
    public async Task Complete_stores_the_certificate_and_its_audit_entry()
    {
        await IssueAsync(Intent(Serial(1)));

        var record = await Storage.Certificates.FindAsync(Issuer, Serial(1), CancellationToken.None);
        Assert.That(record!.State, Is.EqualTo(CertificateState.Issued));
        Assert.That(record.Der, Is.EqualTo(Der(Serial(1))));
        Assert.That(record.Sha256Hex, Is.EqualTo("aa" + Serial(1)));
        var entries = await ReadAuditAsync();
        Assert.That(entries, Has.Count.EqualTo(1));
        Assert.That(entries[0].Event, Is.EqualTo(IssuedEvent(Serial(1))));
        Assert.That(entries[0].Node, Is.EqualTo(Node));
        Assert.That(entries[0].Sequence, Is.EqualTo(1));
    }

    [Test]
    public async Task Complete_of_a_serial_not_in_signing_state_fails_and_writes_nothing()
    {
        Assert.ThrowsAsync<InvalidOperationException>(() => Storage.Issuance.CompleteAsync(Issuer, Serial(9), [1], "00",
            IssuedEvent(Serial(9)), CancellationToken.None));
        Assert.That(await ReadAuditAsync(), Is.Empty, "the audit entry went with the failed write");
    }

    [Test]
    public async Task Complete_twice_fails_the_second_time()
    {
        await IssueAsync(Intent(Serial(1)));

        Assert.ThrowsAsync<InvalidOperationException>(() => Storage.Issuance.CompleteAsync(Issuer, Serial(1), [1], "00",
            IssuedEvent(Serial(1)), CancellationToken.None));
        Assert.That((await Storage.Certificates.FindAsync(Issuer, Serial(1), CancellationToken.None))!.Der, Is.EqualTo(Der(Serial(1))));
    }

    [Test]
    public async Task Abandon_burns_the_serial_with_an_audit_entry()
    {
        await Storage.Issuance.TryReserveAsync(Intent(Serial(1)), CancellationToken.None);
        var refused = new AuditEvent(T0, "issuance", "est:device", "failed", $"serial={Serial(1)} hsm refused");

        await Storage.Issuance.AbandonAsync(Issuer, Serial(1), refused, CancellationToken.None);

        Assert.That((await Storage.Certificates.FindAsync(Issuer, Serial(1), CancellationToken.None))!.State, Is.EqualTo(CertificateState.Failed));
        Assert.That(await Storage.Issuance.TryReserveAsync(Intent(Serial(1)), CancellationToken.None), Is.False, "never reused");
        Assert.That((await ReadAuditAsync()).Select(e => e.Event), Is.EqualTo(new[] { refused }));
        Assert.ThrowsAsync<InvalidOperationException>(() => Storage.Issuance.CompleteAsync(Issuer, Serial(1), [1], "00",
            IssuedEvent(Serial(1)), CancellationToken.None));
    }

    [Test]
    public async Task A_failing_write_does_not_fail_the_writes_committed_with_it()
    {
        const int count = 200;
        for (var i = 0; i < count; i++)
        {
            await Storage.Issuance.TryReserveAsync(Intent(Serial(i)), CancellationToken.None);
        }

        // Queued together, so they share transactions: every tenth completes a serial never reserved.
        var writes = Enumerable.Range(0, count).Select(i => Storage.Issuance.CompleteAsync(Issuer, i % 10 == 0 ? Serial(10_000 + i) : Serial(i),
            Der(Serial(i)), "00", IssuedEvent(Serial(i)), CancellationToken.None)).ToList();
        await Task.WhenAll(writes.Select(w => w.ContinueWith(_ => { }, TaskScheduler.Default)));

        for (var i = 0; i < count; i++)
        {
            Assert.That(writes[i].IsFaulted, Is.EqualTo(i % 10 == 0), $"write {i}");
            var state = (await Storage.Certificates.FindAsync(Issuer, Serial(i), CancellationToken.None))!.State;
            Assert.That(state, Is.EqualTo(i % 10 == 0 ? CertificateState.Signing : CertificateState.Issued), $"serial {i}");
        }
        Assert.That(writes.Where(w => w.IsFaulted).Select(w => w.Exception!.InnerException), Is.All.InstanceOf<InvalidOperationException>());
        var verification = await VerifyAuditAsync();
        Assert.That(verification.IsIntact, Is.True, verification.Problem);
        Assert.That(verification.EntriesChecked, Is.EqualTo(count - count / 10), "no audit entry of a failed write, no gap");
    }

    [Test]
    public async Task A_write_cancelled_before_it_runs_is_not_written()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.That(async () => await Storage.Issuance.TryReserveAsync(Intent(Serial(1)), cancelled.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(await Storage.Certificates.FindAsync(Issuer, Serial(1), CancellationToken.None), Is.Null);
    }

    /// <summary>Records compare by value except the DER arrays, compared by content.</summary>
    private static bool SameRecord(CertificateRecord a, CertificateRecord b) =>
        a with { Der = null, TbsDer = null } == b with { Der = null, TbsDer = null } && (a.Der ?? []).AsSpan().SequenceEqual(b.Der ?? [])
        && (a.TbsDer is null) == (b.TbsDer is null) && (a.TbsDer ?? []).AsSpan().SequenceEqual(b.TbsDer ?? []);
}
