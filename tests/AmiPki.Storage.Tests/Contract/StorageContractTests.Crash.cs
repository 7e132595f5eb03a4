using AmiPki.Core.Revocation;
using AmiPki.Core.Storage;

namespace AmiPki.Storage.Tests.Contract;

public abstract partial class StorageContractTests
{
    [Test]
    public async Task Serials_reserved_but_never_completed_survive_a_restart_and_stay_revocable()
    {
        // As if the process died after signing but before recording the certificate (DESIGN.md, steps 6–8).
        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Storage.Issuance.TryReserveAsync(Intent(Serial(i)), CancellationToken.None)));
        await IssueAsync(Intent(Serial(100)));
        await ReopenAsync();

        var signing = await Storage.Certificates.ListAsync(new CertificateQuery(State: CertificateState.Signing), CancellationToken.None);
        Assert.That(signing, Has.Count.EqualTo(50));
        Assert.That((await Storage.Certificates.FindAsync(Issuer, Serial(7), CancellationToken.None))!.State, Is.EqualTo(CertificateState.Signing));
        Assert.That(await Storage.Issuance.TryReserveAsync(Intent(Serial(7)), CancellationToken.None), Is.False, "never reused");
        var revoked = await Storage.Revocations.RevokeAsync(Issuer, signing.Select(r => r.SerialHex).ToArray(),
            new RevocationInfo(RevocationReason.Unspecified, T0, null), "recovery", null, CancellationToken.None);
        Assert.That(revoked, Is.EqualTo(50));
        Assert.That((await VerifyAuditAsync()).IsIntact, Is.True);
    }

    [Test]
    public async Task Writes_queued_when_the_storage_closes_are_finished_first()
    {
        var writes = Enumerable.Range(0, 500).Select(i => Storage.Issuance.TryReserveAsync(Intent(Serial(i)), CancellationToken.None)).ToList();

        await ReopenAsync();

        Assert.That(writes.Select(w => w.IsCompletedSuccessfully && w.Result), Is.All.True);
        Assert.That(await Storage.Certificates.ListAsync(new CertificateQuery(Limit: 1000), CancellationToken.None), Has.Count.EqualTo(500));
    }
}
