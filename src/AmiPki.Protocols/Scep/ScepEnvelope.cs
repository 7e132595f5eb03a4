using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;

namespace AmiPki.Protocols.Scep;

/// <summary>
/// The pkcsPKIEnvelope (RFC 8894 §3.2.2): CMS EnvelopedData with RSA key transport. Requests are opened with the RA key
/// under an allowed content cipher; replies are sealed to the requester's signer certificate with AES-128-CBC, never
/// single DES (RFC 8894 §3.5.2).
/// </summary>
public static class ScepEnvelope
{
    /// <summary>Decrypts a request's envelope with the RA key. Throws <see cref="ScepFailure"/> (badAlg, badMessageCheck).</summary>
    public static byte[] Open(ReadOnlyMemory<byte> envelope, X509Certificate2 raCertificate, RSA raKey, ScepOptions options)
    {
        if (envelope.IsEmpty)
        {
            throw new ScepFailure(ScepFailInfo.BadRequest, "the pkiMessage carries no pkcsPKIEnvelope");
        }
        var cms = new EnvelopedCms();
        try
        {
            cms.Decode(envelope.Span);
        }
        catch (CryptographicException e)
        {
            throw new ScepFailure(ScepFailInfo.BadRequest, $"the pkcsPKIEnvelope is not a CMS EnvelopedData: {e.Message}");
        }
        var cipher = cms.ContentEncryptionAlgorithm.Oid.Value ?? "";
        if (!Accepts(cipher, options))
        {
            throw new ScepFailure(ScepFailInfo.BadAlg, $"content encryption {cms.ContentEncryptionAlgorithm.Oid.FriendlyName ?? cipher} is not accepted; use AES (GetCACaps)");
        }
        RecipientInfo? recipient = null;
        foreach (var candidate in cms.RecipientInfos)
        {
            if (Matches(candidate.RecipientIdentifier, raCertificate))
            {
                recipient = candidate;
                break;
            }
        }
        if (recipient is null)
        {
            throw new ScepFailure(ScepFailInfo.BadMessageCheck, "the pkcsPKIEnvelope is not encrypted to this server's RA certificate (GetCACert)");
        }
        try
        {
            cms.Decrypt(recipient, raKey);
        }
        catch (CryptographicException)
        {
            // One answer for every decryption failure: no padding oracle beyond what RSA PKCS#1 v1.5 itself leaks.
            throw new ScepFailure(ScepFailInfo.BadMessageCheck, "the pkcsPKIEnvelope could not be decrypted");
        }
        return cms.ContentInfo.Content;
    }

    /// <summary>Encrypts a reply's content (a degenerate certs-only SignedData) to the requester with AES-128-CBC.</summary>
    public static byte[] Seal(byte[] content, X509Certificate2 recipient)
    {
        var cms = new EnvelopedCms(new ContentInfo(new Oid(ScepOids.Data), content), new AlgorithmIdentifier(new Oid(ScepOids.Aes128Cbc)));
        cms.Encrypt(new CmsRecipient(SubjectIdentifierType.IssuerAndSerialNumber, recipient, RSAEncryptionPadding.Pkcs1));
        return cms.Encode();
    }

    /// <summary>RFC 8894 §3.5.2: AES always; DES3 when enabled; single DES only when explicitly allowed for legacy clients.</summary>
    public static bool Accepts(string cipherOid, ScepOptions options) => cipherOid switch
    {
        ScepOids.Aes128Cbc or ScepOids.Aes192Cbc or ScepOids.Aes256Cbc => true,
        ScepOids.DesEde3Cbc => options.EnableDes3,
        ScepOids.DesCbc => options.AcceptSingleDesRequests,
        _ => false,
    };

    /// <summary>True if the envelope has a recipient for <paramref name="certificate"/> (false if it is not an EnvelopedData).</summary>
    public static bool IsEncryptedTo(ReadOnlyMemory<byte> envelope, X509Certificate2 certificate)
    {
        if (envelope.IsEmpty)
        {
            return false;
        }
        var cms = new EnvelopedCms();
        try
        {
            cms.Decode(envelope.Span);
        }
        catch (CryptographicException)
        {
            return false;
        }
        foreach (var candidate in cms.RecipientInfos)
        {
            if (Matches(candidate.RecipientIdentifier, certificate))
            {
                return true;
            }
        }
        return false;
    }

    private static bool Matches(SubjectIdentifier identifier, X509Certificate2 certificate) => identifier.Type switch
    {
        SubjectIdentifierType.IssuerAndSerialNumber when identifier.Value is X509IssuerSerial issuerSerial =>
            string.Equals(issuerSerial.SerialNumber.TrimStart('0'), certificate.SerialNumber.TrimStart('0'), StringComparison.OrdinalIgnoreCase)
            && string.Equals(issuerSerial.IssuerName, certificate.IssuerName.Name, StringComparison.Ordinal),
        SubjectIdentifierType.SubjectKeyIdentifier when identifier.Value is string ski =>
            certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault()?.SubjectKeyIdentifier is { } own
            && string.Equals(own, ski, StringComparison.OrdinalIgnoreCase),
        _ => false,
    };
}
