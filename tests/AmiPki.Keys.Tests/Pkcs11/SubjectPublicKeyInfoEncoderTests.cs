using System.Formats.Asn1;
using System.Security.Cryptography;
using AmiPki.Core.Asn1;
using AmiPki.Keys.Pkcs11;
using NUnit.Framework;

namespace AmiPki.Keys.Tests.Pkcs11;

public sealed class SubjectPublicKeyInfoEncoderTests
{
    [TestCase("nistP256", Oids.Secp256r1, 32)]
    [TestCase("nistP384", Oids.Secp384r1, 48)]
    [TestCase("nistP521", Oids.Secp521r1, 66)]
    public void EC_SPKI_equals_dotnet_export(string curve, string oid, int fieldBytes)
    {
        using var key = ECDsa.Create(ECCurve.CreateFromFriendlyName(curve));
        var parameters = key.ExportParameters(false);
        byte[] point = [0x04, .. parameters.Q.X!, .. parameters.Q.Y!];
        // As SoftHSM2 stores it: DER OCTET STRING around the point.
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteOctetString(point);

        var unwrapped = SubjectPublicKeyInfoEncoder.UnwrapEcPoint(writer.Encode(), fieldBytes);

        Assert.That(unwrapped, Is.EqualTo(point));
        Assert.That(SubjectPublicKeyInfoEncoder.UnwrapEcPoint(point, fieldBytes), Is.EqualTo(point), "bare point form");
        Assert.That(SubjectPublicKeyInfoEncoder.EncodeEc(oid, unwrapped), Is.EqualTo(key.ExportSubjectPublicKeyInfo()));
    }

    [Test]
    public void RSA_SPKI_equals_dotnet_export()
    {
        using var key = RSA.Create(2048);
        var parameters = key.ExportParameters(false);

        Assert.That(SubjectPublicKeyInfoEncoder.EncodeRsa(parameters.Modulus, parameters.Exponent), Is.EqualTo(key.ExportSubjectPublicKeyInfo()));
    }

    [Test]
    public void Refuses_a_compressed_or_truncated_point()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteOctetString([0x02, .. new byte[32]]);

        Assert.Throws<FormatException>(() => SubjectPublicKeyInfoEncoder.UnwrapEcPoint(writer.Encode(), 32));
        Assert.Throws<FormatException>(() => SubjectPublicKeyInfoEncoder.UnwrapEcPoint(new byte[10], 32));
    }
}
