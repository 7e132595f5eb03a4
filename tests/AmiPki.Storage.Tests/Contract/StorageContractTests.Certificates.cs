using AmiPki.Core.Revocation;
using AmiPki.Core.Storage;

namespace AmiPki.Storage.Tests.Contract;

public abstract partial class StorageContractTests
{
    [Test]
    public async Task Find_answers_null_for_an_unknown_serial_or_issuer()
    {
        await IssueAsync(Intent(Serial(1)));

        Assert.That(await Storage.Certificates.FindAsync(Issuer, Serial(2), CancellationToken.None), Is.Null);
        Assert.That(await Storage.Certificates.FindAsync("issuing-p384", Serial(1), CancellationToken.None), Is.Null);
        Assert.That(await Storage.Certificates.FindAsync(Issuer, Serial(1).ToUpperInvariant(), CancellationToken.None), Is.Not.Null,
            "hex letter case does not make another serial");
    }

    [Test]
    public async Task Find_includes_the_revocation()
    {
        await IssueAsync(Intent(Serial(1)));
        var revocation = new RevocationInfo(RevocationReason.KeyCompromise, T0.AddDays(1), T0.AddHours(20));
        await Storage.Revocations.RevokeAsync(Issuer, [Serial(1)], revocation, "admin", null, CancellationToken.None);

        var record = await Storage.Certificates.FindAsync(Issuer, Serial(1), CancellationToken.None);

        Assert.That(record!.Revocation, Is.EqualTo(revocation));
        Assert.That(record.State, Is.EqualTo(CertificateState.Issued));
    }

    [Test]
    public async Task List_filters_by_each_field_newest_first()
    {
        var soon = T0.AddDays(30);
        await IssueAsync(Intent(Serial(1), profile: "meter-s1-sign", systemTitle: "4d4d4d0000000001", dcu: "dcu-1", lot: "lot-a", notAfter: soon));
        await IssueAsync(Intent(Serial(2), profile: "meter-s1-sign", systemTitle: "4d4d4d0000000002", dcu: "dcu-1", lot: "lot-b"));
        await IssueAsync(Intent(Serial(3), profile: "meter-s1-ka", systemTitle: "4d4d4d0000000001", dcu: "dcu-2", lot: "lot-a"));
        await IssueAsync(Intent(Serial(4), profile: "hes-client"));
        await Storage.Issuance.TryReserveAsync(Intent(Serial(5), profile: "hes-client"), CancellationToken.None);
        await IssueAsync(Intent(Serial(6), profile: "dcu", issuer: "issuing-p384"));
        await Storage.Revocations.RevokeAsync(Issuer, [Serial(2)], new RevocationInfo(RevocationReason.Superseded, T0, null), "admin", null,
            CancellationToken.None);

        async Task<string[]> Serials(CertificateQuery query) =>
            (await Storage.Certificates.ListAsync(query, CancellationToken.None)).Select(r => r.SerialHex).ToArray();

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(await Serials(new CertificateQuery()), Is.EqualTo(new[] { Serial(6), Serial(5), Serial(4), Serial(3), Serial(2), Serial(1) }));
            Assert.That(await Serials(new CertificateQuery(Issuer: Issuer, Limit: 2)), Is.EqualTo(new[] { Serial(5), Serial(4) }));
            Assert.That(await Serials(new CertificateQuery(Issuer: Issuer, Limit: 2, Offset: 2)), Is.EqualTo(new[] { Serial(3), Serial(2) }));
            Assert.That(await Serials(new CertificateQuery(Profile: "meter-s1-sign")), Is.EqualTo(new[] { Serial(2), Serial(1) }));
            Assert.That(await Serials(new CertificateQuery(State: CertificateState.Signing)), Is.EqualTo(new[] { Serial(5) }));
            Assert.That(await Serials(new CertificateQuery(Revoked: true)), Is.EqualTo(new[] { Serial(2) }));
            Assert.That(await Serials(new CertificateQuery(Issuer: Issuer, Revoked: false)), Is.EqualTo(new[] { Serial(5), Serial(4), Serial(3), Serial(1) }));
            Assert.That(await Serials(new CertificateQuery(ExpiringBefore: soon.AddTicks(1))), Is.EqualTo(new[] { Serial(1) }));
            Assert.That(await Serials(new CertificateQuery(ExpiringBefore: soon)), Is.Empty, "before, not at");
            Assert.That(await Serials(new CertificateQuery(SystemTitle: "4d4d4d0000000001")), Is.EqualTo(new[] { Serial(3), Serial(1) }));
            Assert.That(await Serials(new CertificateQuery(Dcu: "dcu-1")), Is.EqualTo(new[] { Serial(2), Serial(1) }));
            Assert.That(await Serials(new CertificateQuery(ManufacturerLot: "lot-a", Profile: "meter-s1-ka")), Is.EqualTo(new[] { Serial(3) }));
            Assert.That(await Serials(new CertificateQuery(Subject: "CN=4d4d4d0000000002")), Is.EqualTo(new[] { Serial(2) }));
            Assert.That(await Serials(new CertificateQuery(Profile: "nothing")), Is.Empty);
        });
        var revoked = (await Storage.Certificates.ListAsync(new CertificateQuery(Revoked: true), CancellationToken.None)).Single();
        Assert.That(revoked.Revocation!.Reason, Is.EqualTo(RevocationReason.Superseded));
    }
}
