using System.Formats.Asn1;
using System.Security.Cryptography.Pkcs;
using System.Text;
using AmiPki.Core.Profiles;
using AmiPki.Protocols.Cms;
using AmiPki.Protocols.Est;
using NUnit.Framework;

namespace AmiPki.Protocols.Tests.Est;

/// <summary>EST's encodings in isolation: base64 in and out, csrattrs, certs-only CMS.</summary>
public sealed class EstCodecTests
{
    [Test]
    public void Base64_is_written_in_lines_of_64()
    {
        var text = EstBase64.Encode(new byte[200]);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[..^1].Select(l => l.Length), Is.All.EqualTo(64));
        Assert.That(Convert.FromBase64String(string.Concat(lines)), Is.EqualTo(new byte[200]));
    }

    [TestCase("AAEC", new byte[] { 0, 1, 2 })]
    [TestCase(" AA\r\nEC \n", new byte[] { 0, 1, 2 })]
    [TestCase("-----BEGIN CERTIFICATE REQUEST-----\nAAEC\n-----END CERTIFICATE REQUEST-----\n", new byte[] { 0, 1, 2 })]
    public void Base64_is_read_with_or_without_breaks_and_armour(string text, byte[] expected)
    {
        Assert.That(EstBase64.TryDecode(Encoding.ASCII.GetBytes(text), out var der), Is.True);
        Assert.That(der, Is.EqualTo(expected));
    }

    [TestCase("")]
    [TestCase("   \n")]
    [TestCase("AAE")]
    [TestCase("A*EC")]
    [TestCase("-----BEGIN X-----\nAAEC\n")]
    public void Not_base64_is_refused(string text) => Assert.That(EstBase64.TryDecode(Encoding.UTF8.GetBytes(text), out _), Is.False);

    [Test]
    public void Non_ascii_is_refused() => Assert.That(EstBase64.TryDecode([0x30, 0x82, 0x01], out _), Is.False);

    [Test]
    public void Csrattrs_asks_for_the_profile_curve_and_hash()
    {
        var profile = new CertificateProfile
        {
            Name = "p", Issuers = ["ca"], KeyAlgorithms = [Core.Keys.KeyAlgorithm.EcP384], KeyUsage = ["digitalSignature"],
            Authorization = [new Core.Authorization.AuthorizationRule { Protocols = ["est"], Requester = Core.Authorization.RuleRequester.Administrator }],
            SubjectAltNameRequired = true,
        };
        var reader = new AsnReader(CsrAttributes.Encode(profile), AsnEncodingRules.DER).ReadSequence();
        var attribute = reader.ReadSequence();
        Assert.That(attribute.ReadObjectIdentifier(), Is.EqualTo("1.2.840.10045.2.1"));
        Assert.That(attribute.ReadSetOf().ReadObjectIdentifier(), Is.EqualTo("1.3.132.0.34"));
        Assert.That(reader.ReadObjectIdentifier(), Is.EqualTo("1.2.840.10045.4.3.3"));
        Assert.That(reader.ReadObjectIdentifier(), Is.EqualTo("1.2.840.113549.1.9.14"));
        Assert.That(reader.HasData, Is.False);
    }

    [Test]
    public void Certs_only_round_trips_through_SignedCms()
    {
        using var ca = Support.TestPki.ManufacturerCa("Codec");
        var der = CertsOnlyCms.Encode(ca.RawData);
        var cms = new SignedCms();
        cms.Decode(der);
        Assert.That(cms.SignerInfos, Is.Empty);
        Assert.That(cms.Certificates.Single().RawData, Is.EqualTo(ca.RawData));
        Assert.That(cms.ContentInfo.ContentType.Value, Is.EqualTo("1.2.840.113549.1.7.1"));
    }
}
