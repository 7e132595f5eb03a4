using System.Security.Cryptography;
using AmiPki.Core.Crypto;
using AmiPki.Core.Issuance;
using AmiPki.Core.Keys;
using AmiPki.Core.Tests.Support;

namespace AmiPki.Core.Tests.Crypto;

/// <summary>The libcrypto fast path agrees with .NET's own verification, and refuses keys that are not on the curve.</summary>
public sealed class OpenSslEcdsaVerifierTests
{
    [Test]
    public void Libcrypto_is_available_on_this_platform() => Assert.That(OpenSslEcdsaVerifier.IsAvailable, Is.True);

    [TestCase("P-256")]
    [TestCase("P-384")]
    [TestCase("P-521")]
    public void Agrees_with_dotnet_on_good_and_tampered_signatures(string curveName)
    {
        var curve = curveName switch { "P-256" => ECCurve.NamedCurves.nistP256, "P-384" => ECCurve.NamedCurves.nistP384, _ => ECCurve.NamedCurves.nistP521 };
        for (var i = 0; i < 50; i++)
        {
            var csr = CertificationRequest.Parse(Csrs.Ec($"CN=device-{i}", curve));
            Assert.That(Asn1.SignatureAlgorithms.TryParse(csr.SignatureAlgorithmOid, out _, out var hash), Is.True);
            Assert.That(OpenSslEcdsaVerifier.TryVerify(csr.KeyAlgorithm, csr.PublicKeyBits.Span, csr.InfoDer.Span, csr.Signature.Span, hash), Is.True);
            using var reference = ECDsa.Create();
            reference.ImportSubjectPublicKeyInfo(csr.SubjectPublicKeyInfo.Span, out _);
            Assert.That(reference.VerifyData(csr.InfoDer.Span, csr.Signature.Span, hash, DSASignatureFormat.Rfc3279DerSequence), Is.True);

            var tamperedData = csr.InfoDer.ToArray();
            tamperedData[^1] ^= 0x01;
            Assert.That(OpenSslEcdsaVerifier.TryVerify(csr.KeyAlgorithm, csr.PublicKeyBits.Span, tamperedData, csr.Signature.Span, hash), Is.False);
            Assert.That(reference.VerifyData(tamperedData, csr.Signature.Span, hash, DSASignatureFormat.Rfc3279DerSequence), Is.False);
        }
    }

    [Test]
    public void Point_at_infinity_is_refused()
    {
        var csr = CertificationRequest.Parse(Csrs.Ec("CN=x"));
        Assert.That(OpenSslEcdsaVerifier.TryVerify(KeyAlgorithm.EcP256, [0x00], csr.InfoDer.Span, csr.Signature.Span, HashAlgorithmName.SHA256), Is.False);
    }

    [Test]
    public void Point_off_the_curve_is_refused()
    {
        var csr = CertificationRequest.Parse(Csrs.Ec("CN=x"));
        var point = csr.PublicKeyBits.ToArray();
        point[^1] ^= 0x01; // Y no longer satisfies the curve equation
        Assert.That(OpenSslEcdsaVerifier.TryVerify(KeyAlgorithm.EcP256, point, csr.InfoDer.Span, csr.Signature.Span, HashAlgorithmName.SHA256), Is.False);
    }

    [Test]
    public void Garbage_signature_is_refused_without_exception()
    {
        var csr = CertificationRequest.Parse(Csrs.Ec("CN=x"));
        Assert.That(OpenSslEcdsaVerifier.TryVerify(KeyAlgorithm.EcP256, csr.PublicKeyBits.Span, csr.InfoDer.Span, [0x30, 0x02, 0x05, 0x00], HashAlgorithmName.SHA256), Is.False);
    }
}
