using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Keys;
using AmiPki.Keys.Tests.Pkcs11.Support;
using NUnit.Framework;

namespace AmiPki.Keys.Tests.Pkcs11;

/// <summary>Certificates and CRLs signed on the token, checked by a real `openssl` process.</summary>
public sealed class Pkcs11CertificateTests
{
    private static readonly object[] RootAlgorithms =
    [
        new object[] { KeyAlgorithm.EcP256, "SHA256" },
        new object[] { KeyAlgorithm.EcP384, "SHA384" },
        new object[] { KeyAlgorithm.Rsa2048, "SHA256" },
        new object[] { KeyAlgorithm.Rsa3072, "SHA384" },
    ];

    [TestCaseSource(nameof(RootAlgorithms))]
    public void Root_and_leaf_signed_on_the_token_pass_openssl_verify(KeyAlgorithm algorithm, string hashName)
    {
        var hash = new HashAlgorithmName(hashName);
        using var provider = SoftHsm.Provider(SoftHsm.Main);
        using var caKey = provider.Generate(SoftHsm.UniqueLabel("ca"), algorithm);
        var generator = new SigningKeySignatureGenerator(caKey);
        // Fixed, explicit validity around the run rather than a builder defaulting to "now".
        var notBefore = DateTimeOffset.UtcNow.AddHours(-1);
        var notAfter = notBefore.AddDays(30);

        var caName = new X500DistinguishedName($"CN=AmiPki PKCS#11 test CA {algorithm}");
        var caRequest = new CertificateRequest(caName, generator.PublicKey, hash);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var caSki = new X509SubjectKeyIdentifierExtension(generator.PublicKey, false);
        caRequest.CertificateExtensions.Add(caSki);
        using var caCertificate = caRequest.Create(caName, generator, notBefore, notAfter, [0x01, 0x23, 0x45, 0x67]);

        using var meterKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=4D4D4D0000000001", meterKey, HashAlgorithmName.SHA256);
        leafRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        leafRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        leafRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(caSki));
        using var leaf = leafRequest.Create(caName, generator, notBefore, notAfter, RandomNumberGenerator.GetBytes(16).Select((b, i) => i == 0 ? (byte)(b & 0x7F | 0x01) : b).ToArray());

        var directory = Directory.CreateTempSubdirectory("amipki-p11-cert-").FullName;
        try
        {
            var caPem = Path.Combine(directory, "ca.pem");
            var leafPem = Path.Combine(directory, "leaf.pem");
            File.WriteAllText(caPem, caCertificate.ExportCertificatePem());
            File.WriteAllText(leafPem, leaf.ExportCertificatePem());

            var selfCheck = ExternalTool.Run(SoftHsm.OpenSsl, "verify", "-x509_strict", "-CAfile", caPem, caPem);
            Assert.That(selfCheck.ExitCode, Is.Zero, selfCheck.ToString());
            Assert.That(selfCheck.StandardOutput, Does.Contain(": OK"));

            var leafCheck = ExternalTool.Run(SoftHsm.OpenSsl, "verify", "-x509_strict", "-CAfile", caPem, leafPem);
            Assert.That(leafCheck.ExitCode, Is.Zero, leafCheck.ToString());
            Assert.That(leafCheck.StandardOutput, Does.Contain(": OK"));

            // The other direction: a certificate whose signature was tampered with must fail.
            var tampered = leaf.RawData.ToArray();
            tampered[^5] ^= 0x01;
            File.WriteAllText(leafPem, PemEncoding.WriteString("CERTIFICATE", tampered));
            var tamperedCheck = ExternalTool.Run(SoftHsm.OpenSsl, "verify", "-CAfile", caPem, leafPem);
            Assert.That(tamperedCheck.ExitCode, Is.Not.Zero, tamperedCheck.ToString());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public void CRL_signed_on_the_token_passes_openssl_crl_verification()
    {
        using var provider = SoftHsm.Provider(SoftHsm.Main);
        using var caKey = provider.Generate(SoftHsm.UniqueLabel("crl"), KeyAlgorithm.EcP384);
        var generator = new SigningKeySignatureGenerator(caKey);
        var thisUpdate = DateTimeOffset.UtcNow.AddMinutes(-5);
        var caName = new X500DistinguishedName("CN=AmiPki PKCS#11 CRL test CA");
        var caRequest = new CertificateRequest(caName, generator.PublicKey, HashAlgorithmName.SHA384);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var caSki = new X509SubjectKeyIdentifierExtension(generator.PublicKey, false);
        caRequest.CertificateExtensions.Add(caSki);
        using var caCertificate = caRequest.Create(caName, generator, thisUpdate.AddHours(-1), thisUpdate.AddDays(30), [0x11]);

        var builder = new CertificateRevocationListBuilder();
        builder.AddEntry([0x42, 0x42], thisUpdate.AddMinutes(-1), X509RevocationReason.KeyCompromise);
        var crl = builder.Build(
            caName,
            generator,
            BigInteger.One,
            thisUpdate.AddDays(1),
            HashAlgorithmName.SHA384,
            X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(caSki),
            thisUpdate);

        var directory = Directory.CreateTempSubdirectory("amipki-p11-crl-").FullName;
        try
        {
            var caPem = Path.Combine(directory, "ca.pem");
            var crlPem = Path.Combine(directory, "crl.pem");
            File.WriteAllText(caPem, caCertificate.ExportCertificatePem());
            File.WriteAllText(crlPem, PemEncoding.WriteString("X509 CRL", crl));

            var result = ExternalTool.Run(SoftHsm.OpenSsl, "crl", "-in", crlPem, "-CAfile", caPem, "-noout");
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
            Assert.That(result.StandardError + result.StandardOutput, Does.Contain("verify OK"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public void ECDSA_signature_in_a_certificate_is_DER_with_minimal_integers()
    {
        // r or s with a high first bit needs a 0x00 pad and one with leading zeros must be trimmed:
        // 64 signatures make both cases near certain, and every one must parse as strict DER.
        using var provider = SoftHsm.Provider(SoftHsm.Main);
        using var key = provider.Generate(SoftHsm.UniqueLabel("der"), KeyAlgorithm.EcP256);
        for (var i = 0; i < 64; i++)
        {
            var signature = key.Sign(BitConverter.GetBytes(i), HashAlgorithmName.SHA256);
            var reader = new AsnReader(signature, AsnEncodingRules.DER);
            var sequence = reader.ReadSequence();
            var r = sequence.ReadInteger();
            var s = sequence.ReadInteger();
            Assert.That(sequence.HasData || reader.HasData, Is.False);
            Assert.That(r.Sign > 0 && s.Sign > 0, Is.True);
        }
    }
}
