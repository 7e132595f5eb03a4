using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AmiPki.Core.Tests.Support;

/// <summary>CSRs for tests, good and bad, made with .NET's own CertificateRequest (keys are throwaway).</summary>
public static class Csrs
{
    public const string SystemTitle = "4D4D4D0000BC614E";

    public static byte[] Ec(string subject, ECCurve? curve = null, Action<CertificateRequest>? configure = null)
    {
        using var key = ECDsa.Create(curve ?? ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, key.KeySize == 384 ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256);
        configure?.Invoke(request);
        return request.CreateSigningRequest();
    }

    public static byte[] Rsa(string subject, int bits)
    {
        using var key = RSA.Create(bits);
        return new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSigningRequest();
    }

    public static byte[] WithDnsNames(string subject, params string[] names) => Ec(subject, configure: request =>
    {
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            san.AddDnsName(name);
        }
        request.CertificateExtensions.Add(san.Build());
    });

    /// <summary>A CSR whose signature no longer matches (one byte of the signature flipped).</summary>
    public static byte[] WithBadSignature(string subject)
    {
        var csr = Ec(subject);
        csr[^5] ^= 0x01;
        return csr;
    }

    /// <summary>
    /// The CSR's SPKI rewritten with explicit (specifiedCurve) parameters in place of the named curve: the signature no
    /// longer verifies, but the parser must refuse the key before it gets that far.
    /// </summary>
    public static byte[] WithExplicitCurve(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var explicitParameters = key.ExportExplicitParameters(false);
        var spki = new AsnWriter(AsnEncodingRules.DER);
        using (spki.PushSequence())
        {
            using (spki.PushSequence())
            {
                spki.WriteObjectIdentifier("1.2.840.10045.2.1");
                using (spki.PushSequence()) // ECParameters (RFC 3279 §2.3.5), abbreviated but explicit
                {
                    spki.WriteInteger(1);
                    using (spki.PushSequence())
                    {
                        spki.WriteObjectIdentifier("1.2.840.10045.1.1");
                        spki.WriteIntegerUnsigned(explicitParameters.Curve.Prime);
                    }
                    using (spki.PushSequence())
                    {
                        spki.WriteOctetString(explicitParameters.Curve.A);
                        spki.WriteOctetString(explicitParameters.Curve.B);
                    }
                    spki.WriteOctetString([0x04, .. explicitParameters.Curve.G.X!, .. explicitParameters.Curve.G.Y!]);
                    spki.WriteIntegerUnsigned(explicitParameters.Curve.Order);
                }
            }
            spki.WriteBitString([0x04, .. explicitParameters.Q.X!, .. explicitParameters.Q.Y!]);
        }
        var info = new AsnWriter(AsnEncodingRules.DER);
        using (info.PushSequence())
        {
            info.WriteInteger(0);
            info.WriteEncodedValue(new X500DistinguishedName(subject).RawData);
            info.WriteEncodedValue(spki.Encode());
            using (info.PushSetOf(new Asn1Tag(TagClass.ContextSpecific, 0)))
            {
                // attributes [0]: none
            }
        }
        var infoBytes = info.Encode();
        var signature = key.SignData(infoBytes, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        var csr = new AsnWriter(AsnEncodingRules.DER);
        using (csr.PushSequence())
        {
            csr.WriteEncodedValue(infoBytes);
            using (csr.PushSequence())
            {
                csr.WriteObjectIdentifier("1.2.840.10045.4.3.2");
            }
            csr.WriteBitString(signature);
        }
        return csr.Encode();
    }
}
