using AmiPki.Core.Issuance;
using AmiPki.Core.Revocation;
using AmiPki.Core.Storage;

namespace AmiPki.Storage.Tests.Contract;

/// <summary>
/// The start-up recovery pass over real storage: serials left Signing by a process that died (DESIGN.md steps 6–8) become
/// OutcomeUnknown, audited once each, and stay revocable and reserved; an intent reserved after the cutoff is left alone.
/// </summary>
public abstract partial class StorageContractTests
{
    private static readonly DateTimeOffset ProcessStart = T0.AddMinutes(1);

    private Task<IReadOnlyList<IssuanceIntent>> RecoverAsync() =>
        new OrphanedIntentRecovery(Storage.Issuance, TimeProvider.System).RunAsync(ProcessStart, CancellationToken.None);

    private async Task<CertificateState> StateOfAsync(string serial) =>
        (await Storage.Certificates.FindAsync(Issuer, serial, CancellationToken.None))!.State;

    /// <summary>Five orphans, one issued, one failed, and one reserved by the new process (after its start).</summary>
    private async Task ReserveOrphansAndOthersAsync()
    {
        for (var i = 0; i < 5; i++)
        {
            Assert.That(await Storage.Issuance.TryReserveAsync(Intent(Serial(i), systemTitle: $"4D4D4D00000000{i:D2}", dcu: "DCU-1", lot: "LOT-7"),
                CancellationToken.None), Is.True);
        }
        await IssueAsync(Intent(Serial(10)));
        await Storage.Issuance.TryReserveAsync(Intent(Serial(11)), CancellationToken.None);
        await Storage.Issuance.AbandonAsync(Issuer, Serial(11), IssuedEvent(Serial(11)) with { Outcome = "failed" }, CancellationToken.None);
        await Storage.Issuance.TryReserveAsync(Intent(Serial(12), createdAt: ProcessStart.AddSeconds(1)), CancellationToken.None);
        // The process dies here: reopening is the restart.
        await ReopenAsync();
    }

    [Test]
    public async Task Recovery_marks_the_orphaned_intents_outcome_unknown_with_one_audit_entry_each()
    {
        await ReserveOrphansAndOthersAsync();

        var recovered = await RecoverAsync();

        Assert.That(recovered.Select(r => r.SerialHex), Is.EquivalentTo(Enumerable.Range(0, 5).Select(Serial)));
        var first = recovered.Single(r => r.SerialHex == Serial(0));
        Assert.That((first.Issuer, first.Profile, first.Subject, first.SystemTitle, first.Dcu, first.ManufacturerLot, first.CreatedAt),
            Is.EqualTo((Issuer, "meter-s1-sign", "CN=4D4D4D0000000000", "4D4D4D0000000000", "DCU-1", "LOT-7", T0)));
        Assert.That(await StateOfAsync(Serial(3)), Is.EqualTo(CertificateState.OutcomeUnknown));
        Assert.That(await StateOfAsync(Serial(10)), Is.EqualTo(CertificateState.Issued));
        Assert.That(await StateOfAsync(Serial(11)), Is.EqualTo(CertificateState.Failed));
        Assert.That(await StateOfAsync(Serial(12)), Is.EqualTo(CertificateState.Signing), "reserved after the process started: in flight");

        var unknown = await Storage.Certificates.ListAsync(new CertificateQuery(State: CertificateState.OutcomeUnknown), CancellationToken.None);
        Assert.That(unknown.Select(r => r.SerialHex), Is.EquivalentTo(Enumerable.Range(0, 5).Select(Serial)));
        Assert.That(unknown.Select(r => r.Der), Is.All.Null);
        var signing = await Storage.Certificates.ListAsync(new CertificateQuery(State: CertificateState.Signing), CancellationToken.None);
        Assert.That(signing.Select(r => r.SerialHex), Is.EqualTo(new[] { Serial(12) }));
        var byDcu = await Storage.Certificates.ListAsync(new CertificateQuery(Dcu: "DCU-1"), CancellationToken.None);
        Assert.That(byDcu, Has.Count.EqualTo(5), "a bulk revocation by DCU selects the orphans too");

        var entries = (await ReadAuditAsync()).Where(e => e.Event.Outcome == OrphanedIntentRecovery.AuditOutcome).ToList();
        Assert.That(entries, Has.Count.EqualTo(5));
        Assert.That(entries.Select(e => (e.Event.Kind, e.Event.Actor)), Is.All.EqualTo((OrphanedIntentRecovery.AuditKind, OrphanedIntentRecovery.Actor)));
        Assert.That(entries.Select(e => e.Event.Detail), Is.All.Contain("never reused"));
        Assert.That(entries[0].Event.Detail, Does.Contain($"serial={Serial(0)}").And.Contain($"issuer={Issuer}"));
        var verification = await VerifyAuditAsync();
        Assert.That(verification.IsIntact, Is.True, verification.Problem);
    }

    [Test]
    public async Task Recovery_survives_a_restart_and_does_not_mark_or_audit_a_serial_twice()
    {
        await ReserveOrphansAndOthersAsync();
        await RecoverAsync();
        var auditCount = (await ReadAuditAsync()).Count;

        await ReopenAsync();
        var again = await RecoverAsync();

        Assert.That(again, Is.Empty);
        Assert.That((await ReadAuditAsync()).Count, Is.EqualTo(auditCount));
        Assert.That(await StateOfAsync(Serial(0)), Is.EqualTo(CertificateState.OutcomeUnknown));
    }

    [Test]
    public async Task An_outcome_unknown_serial_is_never_reused_and_is_revocable_onto_the_CRL()
    {
        await ReserveOrphansAndOthersAsync();
        await RecoverAsync();

        Assert.That(await Storage.Issuance.TryReserveAsync(Intent(Serial(2)), CancellationToken.None), Is.False, "never reused");
        Assert.That(await Storage.Issuance.TryReserveAsync(Intent(Serial(2).ToUpperInvariant()), CancellationToken.None), Is.False,
            "never reused, whatever the hex case");
        var revoked = await Storage.Revocations.RevokeAsync(Issuer, [Serial(2)], new RevocationInfo(RevocationReason.KeyCompromise, T0.AddDays(1), null),
            "admin", null, CancellationToken.None);

        Assert.That(revoked, Is.EqualTo(1));
        var record = (await Storage.Certificates.FindAsync(Issuer, Serial(2), CancellationToken.None))!;
        Assert.That((record.State, record.Revocation?.Reason), Is.EqualTo((CertificateState.OutcomeUnknown, (RevocationReason?)RevocationReason.KeyCompromise)));
        var crl = new List<RevokedEntry>();
        await foreach (var entry in Storage.Revocations.ListRevokedAsync(Issuer, null, CancellationToken.None))
        {
            crl.Add(entry);
        }
        Assert.That(crl.Select(e => e.SerialHex), Is.EqualTo(new[] { Serial(2) }));
        Assert.That((await VerifyAuditAsync()).IsIntact, Is.True);
    }

    [Test]
    public async Task A_process_still_completing_an_intent_marked_outcome_unknown_records_it_as_issued()
    {
        await ReserveOrphansAndOthersAsync();
        await RecoverAsync();

        await Storage.Issuance.CompleteAsync(Issuer, Serial(4), Der(Serial(4)), "aa" + Serial(4), IssuedEvent(Serial(4)), CancellationToken.None);

        var record = (await Storage.Certificates.FindAsync(Issuer, Serial(4), CancellationToken.None))!;
        Assert.That((record.State, record.Der), Is.EqualTo((CertificateState.Issued, Der(Serial(4)))));
        Assert.That((await VerifyAuditAsync()).IsIntact, Is.True);
    }

    [Test]
    public async Task The_reserved_tbs_round_trips_through_signing_outcome_unknown_and_issued()
    {
        byte[] tbs = [0x30, 0x03, 0x02, 0x01, 0x07];
        byte[] other = [0x30, 0x03, 0x02, 0x01, 0x08];
        Assert.That(await Storage.Issuance.TryReserveAsync(Intent(Serial(0)) with { TbsDer = tbs }, CancellationToken.None), Is.True);
        Assert.That(await Storage.Issuance.TryReserveAsync(Intent(Serial(1)) with { TbsDer = other }, CancellationToken.None), Is.True);
        Assert.That(await Storage.Issuance.TryReserveAsync(Intent(Serial(2)), CancellationToken.None), Is.True);
        await Storage.Issuance.CompleteAsync(Issuer, Serial(1), Der(Serial(1)), "aa" + Serial(1), IssuedEvent(Serial(1)), CancellationToken.None);

        Assert.That((await Storage.Certificates.FindAsync(Issuer, Serial(0), CancellationToken.None))!.TbsDer, Is.EqualTo(tbs), "signing");
        await ReopenAsync();
        var recovered = await RecoverAsync();

        Assert.That(recovered.Single(r => r.SerialHex == Serial(0)).TbsDer, Is.EqualTo(tbs), "the recovered intent");
        Assert.That(recovered.Single(r => r.SerialHex == Serial(2)).TbsDer, Is.Null, "an intent without one");
        var unknown = await Storage.Certificates.FindAsync(Issuer, Serial(0), CancellationToken.None);
        Assert.That((unknown!.State, unknown.TbsDer, unknown.Der), Is.EqualTo((CertificateState.OutcomeUnknown, tbs, (byte[]?)null)));
        var listed = await Storage.Certificates.ListAsync(new CertificateQuery(State: CertificateState.OutcomeUnknown), CancellationToken.None);
        Assert.That(listed.Single(r => r.SerialHex == Serial(0)).TbsDer, Is.EqualTo(tbs), "listing reads it too");
        var issued = await Storage.Certificates.FindAsync(Issuer, Serial(1), CancellationToken.None);
        Assert.That((issued!.State, issued.TbsDer), Is.EqualTo((CertificateState.Issued, other)), "kept after signing");
    }
}
