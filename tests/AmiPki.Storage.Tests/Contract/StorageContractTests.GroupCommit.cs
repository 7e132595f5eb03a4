using AmiPki.Core.Storage;

namespace AmiPki.Storage.Tests.Contract;

public abstract partial class StorageContractTests
{
    [Test]
    public async Task Two_thousand_concurrent_issuances_all_succeed_and_survive_reopening()
    {
        const int count = 2_000;

        await Task.WhenAll(Enumerable.Range(0, count).Select(i => Task.Run(() => IssueAsync(Intent(Serial(i), systemTitle: $"{i:x16}")))));
        await ReopenAsync();

        var listed = await Storage.Certificates.ListAsync(new CertificateQuery(Limit: count + 1), CancellationToken.None);
        Assert.That(listed, Has.Count.EqualTo(count));
        Assert.That(listed.Select(r => r.State), Is.All.EqualTo(CertificateState.Issued));
        Assert.That(listed.Select(r => r.SerialHex), Is.EquivalentTo(Enumerable.Range(0, count).Select(Serial)));
        var verification = await VerifyAuditAsync();
        Assert.That(verification.IsIntact, Is.True, verification.Problem);
        Assert.That(verification.EntriesChecked, Is.EqualTo(count));
    }

    [Test]
    public async Task Reads_see_each_write_once_it_is_acknowledged()
    {
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            await IssueAsync(Intent(Serial(i)));
            var record = await Storage.Certificates.FindAsync(Issuer, Serial(i), CancellationToken.None);
            Assert.That(record?.State, Is.EqualTo(CertificateState.Issued));
        })));
    }
}
