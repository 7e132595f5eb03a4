using System.Formats.Asn1;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AmiPki.Protocols.Scep;

/// <summary>
/// Writes a CertRep (RFC 8894 §3.3.2): SignedData signed by the RA with SHA-256, whose signed attributes echo the
/// transactionID, set recipientNonce to the request's senderNonce and carry a fresh CSPRNG senderNonce; on SUCCESS the
/// content is a pkcsPKIEnvelope sealed to the requester, otherwise the content is empty and failInfo says why.
/// </summary>
public static class ScepCertRepWriter
{
    public const int NonceLength = 16;

    private const string ContentTypeOid = "1.2.840.113549.1.9.3";
    private const string MessageDigestOid = "1.2.840.113549.1.9.4";
    private const string Sha256Oid = "2.16.840.1.101.3.4.2.1";
    private const string RsaEncryptionOid = "1.2.840.113549.1.1.1";

    /// <param name="transactionId">The request's transactionID, echoed.</param>
    /// <param name="recipientNonce">The request's senderNonce.</param>
    /// <param name="requester">The request's signer certificate: SUCCESS content is encrypted to its RSA key.</param>
    public static byte[] Write(ScepReply reply, string transactionId, byte[] recipientNonce, X509Certificate2? requester, ScepRa ra)
    {
        byte[] content = [];
        if (reply.Status == ScepPkiStatus.Success)
        {
            if (requester is null || reply.Content is null)
            {
                throw new InvalidOperationException("a SUCCESS CertRep needs content and a requester certificate to encrypt it to");
            }
            content = ScepEnvelope.Seal(reply.Content, requester);
        }
        var attributes = new List<(string Oid, byte[] Value)>
        {
            // RFC 5652 §11.1, §11.2: contentType and messageDigest of the (possibly empty) content.
            (ContentTypeOid, ObjectIdentifier(ScepOids.Data)),
            (MessageDigestOid, Octets(SHA256.HashData(content))),
            // RFC 8894 §3.2.1: messageType, pkiStatus and failInfo are PrintableString decimals; nonces OCTET STRINGs.
            (ScepOids.TransactionId, PrintableString(transactionId)),
            (ScepOids.MessageType, PrintableString(Decimal((int)ScepMessageType.CertRep))),
            (ScepOids.PkiStatus, PrintableString(Decimal((int)reply.Status))),
        };
        if (reply.Status == ScepPkiStatus.Failure)
        {
            attributes.Add((ScepOids.FailInfo, PrintableString(Decimal((int)(reply.FailInfo ?? ScepFailInfo.BadRequest)))));
            if (reply.FailText is { Length: > 0 } text)
            {
                attributes.Add((ScepOids.FailInfoText, Utf8String(text.Length > 512 ? text[..512] : text)));
            }
        }
        attributes.Add((ScepOids.SenderNonce, Octets(RandomNumberGenerator.GetBytes(NonceLength))));
        attributes.Add((ScepOids.RecipientNonce, Octets(recipientNonce)));
        return Sign(content, attributes, ra.Certificate, ra.Key);
    }

    /// <summary>
    /// SignedData (RFC 5652 §5) written by hand: SignedCms refuses to sign empty content, and a FAILURE or PENDING CertRep
    /// has none (RFC 8894 §3.3.2). One RSA PKCS#1 v1.5 SHA-256 signer identified by issuer and serial, its certificate included.
    /// </summary>
    private static byte[] Sign(byte[] content, List<(string Oid, byte[] Value)> attributes, X509Certificate2 certificate, RSA key)
    {
        var attributeWriter = new AsnWriter(AsnEncodingRules.DER);
        // signedAttrs [0] IMPLICIT SET OF Attribute: DER sorts the elements when the SET is closed.
        using (attributeWriter.PushSetOf(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
        {
            foreach (var (oid, value) in attributes)
            {
                using (attributeWriter.PushSequence())
                {
                    attributeWriter.WriteObjectIdentifier(oid);
                    using (attributeWriter.PushSetOf())
                    {
                        attributeWriter.WriteEncodedValue(value);
                    }
                }
            }
        }
        var signedAttributes = attributeWriter.Encode();
        // RFC 5652 §5.4: the signature covers the DER of the attributes with the universal SET OF tag, not [0].
        var toSign = (byte[])signedAttributes.Clone();
        toSign[0] = 0x31;
        var signature = key.SignData(toSign, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

        var writer = new AsnWriter(AsnEncodingRules.DER);
        // ContentInfo (RFC 5652 §3)
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(ScepOids.SignedData);
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
            {
                // SignedData (RFC 5652 §5.1)
                using (writer.PushSequence())
                {
                    writer.WriteInteger(1); // version 1: IssuerAndSerialNumber signer, id-data content
                    using (writer.PushSetOf())
                    {
                        WriteSha256(writer); // digestAlgorithms
                    }
                    using (writer.PushSequence())
                    {
                        // encapContentInfo: id-data with the content, an empty OCTET STRING for FAILURE and PENDING
                        writer.WriteObjectIdentifier(ScepOids.Data);
                        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                        {
                            writer.WriteOctetString(content);
                        }
                    }
                    using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                    {
                        writer.WriteEncodedValue(certificate.RawData); // certificates [0] IMPLICIT: the RA certificate
                    }
                    using (writer.PushSetOf())
                    {
                        // SignerInfo (RFC 5652 §5.3)
                        using (writer.PushSequence())
                        {
                            writer.WriteInteger(1); // version 1: sid is IssuerAndSerialNumber
                            using (writer.PushSequence())
                            {
                                writer.WriteEncodedValue(certificate.IssuerName.RawData);
                                writer.WriteInteger(certificate.SerialNumberBytes.Span);
                            }
                            WriteSha256(writer); // digestAlgorithm
                            writer.WriteEncodedValue(signedAttributes);
                            using (writer.PushSequence())
                            {
                                writer.WriteObjectIdentifier(RsaEncryptionOid); // signatureAlgorithm: rsaEncryption, NULL (RFC 3370 §3.2)
                                writer.WriteNull();
                            }
                            writer.WriteOctetString(signature);
                        }
                    }
                }
            }
        }
        return writer.Encode();
    }

    private static void WriteSha256(AsnWriter writer)
    {
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(Sha256Oid); // parameters absent (RFC 5754 §2)
        }
    }

    private static byte[] ObjectIdentifier(string oid)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteObjectIdentifier(oid);
        return writer.Encode();
    }

    private static string Decimal(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static byte[] PrintableString(string value)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        if (IsPrintable(value))
        {
            writer.WriteCharacterString(UniversalTagNumber.PrintableString, value);
        }
        else
        {
            // A transactionID that is not printable (base64 '+' and '/' are) is echoed as the client sent its characters.
            writer.WriteCharacterString(UniversalTagNumber.UTF8String, value);
        }
        return writer.Encode();
    }

    private static byte[] Utf8String(string value)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteCharacterString(UniversalTagNumber.UTF8String, value);
        return writer.Encode();
    }

    private static byte[] Octets(byte[] value)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteOctetString(value);
        return writer.Encode();
    }

    private static bool IsPrintable(string value)
    {
        foreach (var c in value)
        {
            var ok = c is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or >= '0' and <= '9' or ' ' or '\'' or '(' or ')' or '+' or ',' or '-' or '.' or '/' or ':' or '=' or '?';
            if (!ok)
            {
                return false;
            }
        }
        return true;
    }
}
