using AmiPki.Core.Issuance;
using AmiPki.Core.Storage;
using AmiPki.Storage.Postgres;

namespace AmiPki.Storage.Tests.Postgres;

/// <summary>
/// The start-up recovery pass on a shared database: a node restarting marks its own orphaned intents OutcomeUnknown, never
/// the serials another living node is signing at that moment.
/// </summary>
[TestFixture]
public sealed class PostgresRecoveryTests
{
    private const string Issuer = "issuing-p256";
    private static readonly DateTimeOffset T0 = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    private PostgresStorageFactory _database = null!;

    [SetUp]
    public void CreateSchema() => _database = new PostgresStorageFactory();

    [TearDown]
    public async Task DropSchema() => await _database.DisposeAsync();

    private static IssuanceIntent Intent(string serial) =>
        new(Issuer, serial, "meter-s1-sign", "CN=meter", T0, T0.AddYears(10), "est:device", "est", T0, null, null, null, null);

    [Test]
    public async Task A_restarting_node_marks_only_its_own_orphans_not_another_living_nodes_intents()
    {
        await using var living = await _database.OpenStorageAsync("node-a", TimeProvider.System);
        Assert.That(await living.Issuance.TryReserveAsync(Intent("0a01"), CancellationToken.None), Is.True, "node-a is signing it now");
        await using (var crashed = await _database.OpenStorageAsync("node-b", TimeProvider.System))
        {
            Assert.That(await crashed.Issuance.TryReserveAsync(Intent("0b01"), CancellationToken.None), Is.True, "node-b dies while signing it");
        }

        await using var restarted = await _database.OpenStorageAsync("node-b", TimeProvider.System);
        var recovered = await new OrphanedIntentRecovery(restarted.Issuance, TimeProvider.System).RunAsync(T0.AddMinutes(1), CancellationToken.None);

        Assert.That(recovered.Select(r => r.SerialHex), Is.EqualTo(new[] { "0b01" }));
        Assert.That((await living.Certificates.FindAsync(Issuer, "0a01", CancellationToken.None))!.State, Is.EqualTo(CertificateState.Signing));
        await living.Issuance.CompleteAsync(Issuer, "0a01", [0x30, 0x00], "00", new Core.Audit.AuditEvent(T0, "issuance", "est:device", "success", "0a01"),
            CancellationToken.None);
        Assert.That((await restarted.Certificates.FindAsync(Issuer, "0b01", CancellationToken.None))!.State, Is.EqualTo(CertificateState.OutcomeUnknown));
    }
}
