using AmiPki.Core.Issuance;
using AmiPki.Core.Storage;
using AmiPki.Core.Tests.Support;

namespace AmiPki.Core.Tests.Issuance;

public sealed class OrphanedIntentRecoveryTests
{
    private static readonly DateTimeOffset Start = new(2026, 5, 6, 7, 8, 9, TimeSpan.Zero);

    private static IssuanceIntent Intent(string serial, DateTimeOffset createdAt) =>
        new("issuing-s1", serial, "dcu", "CN=DCU-0001", Start, Start.AddYears(1), "dcu-0001", "cmp", createdAt);

    [Test]
    public async Task Marks_intents_reserved_before_the_process_started_and_audits_each_with_its_serial()
    {
        var store = new InMemoryStore();
        var clock = new FakeClock(Start);
        await store.TryReserveAsync(Intent("7F01", Start.AddSeconds(-5)), CancellationToken.None);
        await store.TryReserveAsync(Intent("7F02", Start.AddSeconds(5)), CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(10));

        var recovered = await new OrphanedIntentRecovery(store, clock).RunAsync(Start, CancellationToken.None);

        Assert.That(recovered.Select(r => r.SerialHex), Is.EqualTo(new[] { "7F01" }));
        Assert.That(store.Certificates[("issuing-s1", "7F01")].State, Is.EqualTo(CertificateState.OutcomeUnknown));
        Assert.That(store.Certificates[("issuing-s1", "7F02")].State, Is.EqualTo(CertificateState.Signing));
        var audit = store.AuditEvents.Single();
        Assert.That((audit.At, audit.Kind, audit.Actor, audit.Outcome), Is.EqualTo((Start.AddSeconds(10), "issuance", "system:recovery", "outcome-unknown")));
        Assert.That(audit.Detail, Does.Contain("serial=7F01").And.Contain("issuer=issuing-s1").And.Contain("requester=cmp:dcu-0001")
            .And.Contain("revocable").And.Contain("never reused"));
    }
}
