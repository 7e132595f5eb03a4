using System.Security.Cryptography;
using AmiPki.Coap.Dtls;
using AmiPki.Coap.Tests.Support;
using NUnit.Framework;

namespace AmiPki.Coap.Tests.Dtls;

/// <summary>The direct EC private key route (PKCS#8 and SEC1) and its fallback to OpenSSL's generic decoder.</summary>
[TestFixture]
public sealed class EcPrivateKeyDecoderTests
{
    private static IEnumerable<TestCaseData> EcKeys()
    {
        foreach (var (name, curve) in new[] { ("P-256", ECCurve.NamedCurves.nistP256), ("P-384", ECCurve.NamedCurves.nistP384) })
        {
            yield return new TestCaseData(curve, true).SetArgDisplayNames(name, "PKCS#8");
            yield return new TestCaseData(curve, false).SetArgDisplayNames(name, "SEC1");
        }
    }

    [TestCaseSource(nameof(EcKeys))]
    public void Ec_keys_take_the_direct_route(ECCurve curve, bool pkcs8)
    {
        using var key = ECDsa.Create(curve);
        byte[] der = pkcs8 ? key.ExportPkcs8PrivateKey() : key.ExportECPrivateKey();

        nint? decoded = EcPrivateKeyDecoder.TryDecode(der);

        Assert.That(decoded, Is.Not.Null.And.Not.EqualTo((nint)0));
        OpenSslNative.EVP_PKEY_free(decoded!.Value);
    }

    [Test]
    public void A_pkcs8_key_without_the_public_key_still_matches_its_certificate()
    {
        using var pki = new TestCertificates();
        var (certificate, key) = pki.Issue("CN=4D4D4D0000000001", serverAuth: false);

        // .NET writes the public key into PKCS#8; OpenSSL must derive it when absent, and the context checks the pair.
        byte[] withoutPublicKey = Pkcs8WithoutPublicKey(key);
        using var context = new DtlsClientContext(new DtlsClientOptions
        {
            Credentials = DtlsCredentials.FromDer([certificate.RawData], withoutPublicKey),
            ServerCertificateValidator = _ => true,
        });

        Assert.That(context.Native.Handle, Is.Not.Zero);
    }

    [Test]
    public void A_key_not_matching_the_certificate_is_still_refused()
    {
        using var pki = new TestCertificates();
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        Assert.That(() => new DtlsClientContext(new DtlsClientOptions
        {
            Credentials = DtlsCredentials.FromDer([pki.Client.RawData], other.ExportPkcs8PrivateKey()),
            ServerCertificateValidator = _ => true,
        }), Throws.InstanceOf<DtlsException>().With.Message.Contains("not matching"));
    }

    [Test]
    public void Rsa_keys_fall_back_to_the_generic_decoder()
    {
        using var rsa = RSA.Create(2048);
        byte[] der = rsa.ExportPkcs8PrivateKey();

        Assert.That(EcPrivateKeyDecoder.TryDecode(der), Is.Null);
        nint key = OpenSslNative.PrivateKeyFromDer(der);
        Assert.That(key, Is.Not.Zero);
        OpenSslNative.EVP_PKEY_free(key);
    }

    [TestCase(new byte[0])]
    [TestCase(new byte[] { 0x30, 0x03, 0x02, 0x01, 0x00 })]
    [TestCase(new byte[] { 0x30, 0x82, 0xFF, 0xFF, 0x02 })]
    [TestCase(new byte[] { 0x04, 0x02, 0x01, 0x02 })]
    public void Malformed_input_is_refused_without_a_crash(byte[] der)
    {
        Assert.That(EcPrivateKeyDecoder.TryDecode(der), Is.Null);
        Assert.That(() => OpenSslNative.PrivateKeyFromDer(der), Throws.InstanceOf<DtlsException>());
    }

    /// <summary>PKCS#8 whose inner ECPrivateKey (RFC 5915) has neither parameters nor publicKey.</summary>
    private static byte[] Pkcs8WithoutPublicKey(ECDsa key)
    {
        var parameters = key.ExportParameters(includePrivateParameters: true);
        var inner = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (inner.PushSequence())
        {
            inner.WriteInteger(1);
            inner.WriteOctetString(parameters.D);
        }

        var outer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (outer.PushSequence())
        {
            outer.WriteInteger(0);
            using (outer.PushSequence())
            {
                outer.WriteObjectIdentifier("1.2.840.10045.2.1");
                outer.WriteObjectIdentifier("1.2.840.10045.3.1.7");
            }

            outer.WriteOctetString(inner.Encode());
        }

        return outer.Encode();
    }
}
