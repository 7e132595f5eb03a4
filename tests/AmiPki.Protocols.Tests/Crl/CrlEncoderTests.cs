using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Crl;
using AmiPki.Core.Revocation;
using AmiPki.Core.Storage;
using AmiPki.Protocols.Tests.Ocsp;
using NUnit.Framework;

namespace AmiPki.Protocols.Tests.Crl;

/// <summary>The CRL's shape (RFC 5280 §5): what OpenSSL and other relying parties check.</summary>
public sealed class CrlEncoderTests
{
    private static readonly DateTimeOffset ThisUpdate = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private RevocationTestBed _bed = null!;

    [OneTimeSetUp]
    public async Task Start() => _bed = await RevocationTestBed.CreateAsync();

    [OneTimeTearDown]
    public async Task Stop() => await _bed.DisposeAsync();

    [Test]
    public async Task An_empty_complete_CRL_has_no_revokedCertificates_and_every_extension()
    {
        var ca = _bed.Ca("issuing-s1");
        var encoding = await CrlEncoder.EncodeAsync(ca, new CrlParameters(7, ThisUpdate, ThisUpdate.AddDays(1), "http://x/crl/issuing-s1.crl",
            "http://x/crl/issuing-s1-delta.crl"), Entries(), CancellationToken.None);
        var crl = CrlReader.Read(encoding.Der);
        Assert.That(crl.Version, Is.EqualTo(1), "v2");
        Assert.That(crl.HasRevokedCertificates, Is.False, "no empty SEQUENCE (PROTOCOLS.md §0.6)");
        Assert.That(crl.ThisUpdate, Is.EqualTo(ThisUpdate));
        Assert.That(crl.NextUpdate, Is.EqualTo(ThisUpdate.AddDays(1)));
        Assert.That(crl.CrlNumber, Is.EqualTo((System.Numerics.BigInteger)7));
        Assert.That(crl.Extensions["2.5.29.35"].Critical, Is.False, "AKI");
        Assert.That(crl.Extensions["2.5.29.28"].Critical, Is.True, "IDP critical");
        Assert.That(crl.Extensions.ContainsKey("2.5.29.46"), Is.True, "Freshest CRL");
        Assert.That(crl.Extensions.ContainsKey("2.5.29.27"), Is.False);
        // The AKI carries the CA's key identifier, and the signature verifies with the CA key.
        var aki = new AsnReader(crl.Extensions["2.5.29.35"].Value, AsnEncodingRules.DER).ReadSequence()
            .ReadOctetString(new Asn1Tag(TagClass.ContextSpecific, 0));
        Assert.That(aki, Is.EqualTo(ca.SubjectKeyIdentifier));
        using var key = ca.Certificate.GetECDsaPublicKey()!;
        Assert.That(key.VerifyData(crl.Tbs, crl.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence), Is.True);
    }

    [Test]
    public async Task The_IDP_names_only_the_distribution_point_so_every_certificate_with_that_CDP_is_in_scope()
    {
        var encoding = await CrlEncoder.EncodeAsync(_bed.Ca("issuing-s1"), new CrlParameters(1, ThisUpdate, ThisUpdate.AddDays(1), "http://x/a.crl", null),
            Entries(), CancellationToken.None);
        var idp = new AsnReader(CrlReader.Read(encoding.Der).Extensions["2.5.29.28"].Value, AsnEncodingRules.DER).ReadSequence();
        var fullName = idp.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)).ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true));
        Assert.That(fullName.ReadCharacterString(UniversalTagNumber.IA5String, new Asn1Tag(TagClass.ContextSpecific, 6)), Is.EqualTo("http://x/a.crl"));
        Assert.That(idp.HasData, Is.False, "no onlyContains* flags, no reasons, not indirect");
    }

    [Test]
    public async Task Entries_carry_reasonCode_and_invalidityDate_and_unspecified_has_no_reasonCode()
    {
        var revokedAt = ThisUpdate.AddHours(-1);
        var invalid = ThisUpdate.AddDays(-3);
        var encoding = await CrlEncoder.EncodeAsync(_bed.Ca("issuing-s1"), new CrlParameters(2, ThisUpdate, ThisUpdate.AddDays(1), null, null),
            Entries(
                new RevokedEntry("01AB", new RevocationInfo(RevocationReason.KeyCompromise, revokedAt, invalid)),
                new RevokedEntry("7F00", new RevocationInfo(RevocationReason.Unspecified, revokedAt, null)),
                new RevokedEntry("0080", new RevocationInfo(RevocationReason.CertificateHold, revokedAt, null))),
            CancellationToken.None);
        var crl = CrlReader.Read(encoding.Der);
        Assert.That(encoding.EntryCount, Is.EqualTo(3));
        Assert.That(crl.Entries, Is.EqualTo(new[]
        {
            new CrlReader.Entry("01AB", revokedAt, RevocationReason.KeyCompromise, invalid),
            new CrlReader.Entry("7F00", revokedAt, null, null),
            new CrlReader.Entry("0080", revokedAt, RevocationReason.CertificateHold, null),
        }));
    }

    [Test]
    public async Task A_delta_CRL_has_a_critical_Delta_CRL_Indicator_the_same_IDP_and_no_Freshest_CRL()
    {
        var ca = _bed.Ca("issuing-s2");
        var full = CrlReader.Read((await CrlEncoder.EncodeAsync(ca, new CrlParameters(10, ThisUpdate, ThisUpdate.AddDays(1), "http://x/b.crl",
            "http://x/b-delta.crl"), Entries(), CancellationToken.None)).Der);
        var delta = CrlReader.Read((await CrlEncoder.EncodeAsync(ca, new CrlParameters(11, ThisUpdate, ThisUpdate.AddHours(2), "http://x/b.crl",
            "http://x/b-delta.crl", DeltaBaseCrlNumber: 10), Entries(), CancellationToken.None)).Der);
        Assert.That(delta.Extensions["2.5.29.27"].Critical, Is.True);
        Assert.That(delta.DeltaBase, Is.EqualTo((System.Numerics.BigInteger)10));
        Assert.That(delta.Extensions.ContainsKey("2.5.29.46"), Is.False, "RFC 5280 §5.2.6: not in delta CRLs");
        Assert.That(delta.Extensions["2.5.29.28"].Value, Is.EqualTo(full.Extensions["2.5.29.28"].Value), "same scope as the base");
        Assert.That(delta.Extensions["2.5.29.35"].Value, Is.EqualTo(full.Extensions["2.5.29.35"].Value));
    }

    [Test]
    public async Task Times_from_2050_are_GeneralizedTime()
    {
        var late = new DateTimeOffset(2051, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var encoding = await CrlEncoder.EncodeAsync(_bed.Ca("issuing-s1"), new CrlParameters(3, late, late.AddDays(1), null, null), Entries(),
            CancellationToken.None);
        var tbs = new AsnReader(encoding.Der, AsnEncodingRules.DER).ReadSequence().ReadSequence();
        tbs.ReadInteger();
        tbs.ReadSequence();
        tbs.ReadSequence();
        Assert.That(tbs.PeekTag().HasSameClassAndValue(Asn1Tag.GeneralizedTime), Is.True);
    }

    [Test]
    public void NextUpdate_must_follow_thisUpdate() =>
        Assert.ThrowsAsync<ArgumentException>(() => CrlEncoder.EncodeAsync(_bed.Ca("issuing-s1"),
            new CrlParameters(1, ThisUpdate, ThisUpdate, null, null), Entries(), CancellationToken.None));

    private static async IAsyncEnumerable<RevokedEntry> Entries(params RevokedEntry[] entries)
    {
        foreach (var entry in entries)
        {
            await Task.Yield();
            yield return entry;
        }
    }
}
