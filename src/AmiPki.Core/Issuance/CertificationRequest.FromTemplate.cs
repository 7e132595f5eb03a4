using System.Formats.Asn1;
using System.Security.Cryptography;
using AmiPki.Core.Asn1;

namespace AmiPki.Core.Issuance;

public sealed partial class CertificationRequest
{
    /// <summary>
    /// A request built from the parts of a CRMF CertTemplate (RFC 4211 §5) rather than a PKCS#10 CSR: the DER subject
    /// Name, the DER SubjectPublicKeyInfo and, optionally, the DER Extensions SEQUENCE the requester asked for. It
    /// carries no signature: the adapter proves possession itself (CRMF POPOSigningKey, RFC 4211 §4.1) and sets
    /// <see cref="EnrollmentRequest.ProofOfPossessionVerified"/>. The same bounds and key rules as <see cref="Parse"/>
    /// apply (named curves only, RSA 2048..4096); failures are <see cref="IssuanceRefusal"/>s.
    /// </summary>
    /// <param name="subjectDer">The Name (an RDNSequence); may be empty for a SAN-only profile.</param>
    /// <param name="subjectPublicKeyInfoDer">A SubjectPublicKeyInfo with its universal SEQUENCE tag.</param>
    /// <param name="extensionsDer">An Extensions SEQUENCE with its universal tag, or empty.</param>
    public static CertificationRequest FromTemplate(ReadOnlyMemory<byte> subjectDer, ReadOnlyMemory<byte> subjectPublicKeyInfoDer,
        ReadOnlyMemory<byte> extensionsDer)
    {
        if (subjectDer.Length + subjectPublicKeyInfoDer.Length + extensionsDer.Length > MaxSize)
        {
            throw Malformed($"the certificate template is over {MaxSize} bytes");
        }
        try
        {
            var request = new CertificationRequest();
            var name = new AsnReader(subjectDer, AsnEncodingRules.DER);
            request.SubjectDer = subjectDer;
            request.Subject = ReadName(name.ReadSequence());
            name.ThrowIfNotEmpty();

            var spki = new AsnReader(subjectPublicKeyInfoDer, AsnEncodingRules.DER);
            request.SubjectPublicKeyInfo = subjectPublicKeyInfoDer;
            request.ReadSubjectPublicKeyInfo(spki.ReadSequence());
            spki.ThrowIfNotEmpty();

            var extensions = new Dictionary<string, RequestedExtension>(StringComparer.Ordinal);
            if (!extensionsDer.IsEmpty)
            {
                var reader = new AsnReader(extensionsDer, AsnEncodingRules.DER);
                ReadExtensions(reader.ReadSequence(), extensions);
                reader.ThrowIfNotEmpty();
            }
            request.RequestedExtensions = extensions;
            return request;
        }
        catch (AsnContentException e)
        {
            throw Malformed($"the certificate template is not valid DER: {e.Message}");
        }
        catch (CryptographicException e)
        {
            throw Malformed($"the certificate template is not valid DER: {e.Message}");
        }
    }

    /// <summary>
    /// Whether <paramref name="signature"/> over <paramref name="signedData"/> verifies with this request's public key:
    /// the CRMF POPOSigningKey check (RFC 4211 §4.1), or any signature by the holder of this key. The signature algorithm
    /// must match the key family; ECDSA goes straight to libcrypto as <see cref="VerifySignature"/> does.
    /// </summary>
    public bool VerifyWithPublicKey(ReadOnlySpan<byte> signedData, string signatureAlgorithmOid, ReadOnlySpan<byte> signature)
    {
        if (!SignatureAlgorithms.TryParse(signatureAlgorithmOid, out var isEcdsa, out var hash) || isEcdsa != KeyAlgorithm.IsEc())
        {
            return false;
        }
        try
        {
            if (isEcdsa)
            {
                if (Crypto.OpenSslEcdsaVerifier.TryVerify(KeyAlgorithm, PublicKeyBits.Span, signedData, signature, hash) is { } verified)
                {
                    return verified;
                }
                using var ecdsa = ECDsa.Create();
                ecdsa.ImportSubjectPublicKeyInfo(SubjectPublicKeyInfo.Span, out _);
                return ecdsa.VerifyData(signedData, signature, hash, DSASignatureFormat.Rfc3279DerSequence);
            }
            using var rsa = RSA.Create();
            rsa.ImportSubjectPublicKeyInfo(SubjectPublicKeyInfo.Span, out _);
            return rsa.VerifyData(signedData, signature, hash, RSASignaturePadding.Pkcs1);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
