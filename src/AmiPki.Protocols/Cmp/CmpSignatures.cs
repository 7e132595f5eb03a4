using System.Security.Cryptography;
using AmiPki.Core.Asn1;
using AmiPki.Core.Issuance;

namespace AmiPki.Protocols.Cmp;

/// <summary>
/// Verifies ECDSA and RSA PKCS#1 v1.5 signatures with a public key given as DER SubjectPublicKeyInfo, through the
/// core's key rules and verifier (named curves only); any failure is false, never an exception.
/// </summary>
public static class CmpSignatures
{
    private static readonly byte[] EmptyName = [0x30, 0x00];

    public static bool Verify(ReadOnlySpan<byte> subjectPublicKeyInfo, string algorithmOid, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        KeyOf(subjectPublicKeyInfo.ToArray()) is { } key && key.VerifyWithPublicKey(data, algorithmOid, signature);

    /// <summary>
    /// A public key vetted by the core (named curves only, RSA 2048..4096) and ready to verify with, or null if the core
    /// refuses it. ECDSA verification then skips the costly key import of OpenSSL 3 decoders.
    /// </summary>
    public static CertificationRequest? KeyOf(byte[] subjectPublicKeyInfo)
    {
        try
        {
            return CertificationRequest.FromTemplate(EmptyName, subjectPublicKeyInfo, ReadOnlyMemory<byte>.Empty);
        }
        catch (IssuanceRefusal)
        {
            return null;
        }
    }

    /// <summary>The hash certConf uses (RFC 4210 §5.3.18): that of the certificate's signature algorithm.</summary>
    public static HashAlgorithmName? CertificateHash(string signatureAlgorithmOid) =>
        SignatureAlgorithms.TryParse(signatureAlgorithmOid, out _, out var hash) ? hash : null;
}
