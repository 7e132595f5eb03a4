using System.Formats.Asn1;

namespace AmiPki.Protocols.Cmp;

/// <summary>
/// Encodes responses: PKIMessage ::= SEQUENCE { header, body [n] EXPLICIT, protection [0] BIT STRING, extraCerts [1] }
/// (RFC 4210 §5.1), the CMP module's EXPLICIT tags written as context-specific constructed wrappers.
/// </summary>
public static class CmpMessageWriter
{
    private static readonly Asn1Tag Explicit0 = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag Explicit1 = new(TagClass.ContextSpecific, 1, isConstructed: true);

    public static byte[] Write(CmpResponseHeader header, PkiBodyType bodyType, ReadOnlySpan<byte> bodyContent, CmpResponseProtection protection,
        IReadOnlyList<byte[]> extraCerts, DateTimeOffset now)
    {
        var protectionAlgorithm = protection.Mac is { } mac ? mac.EncodeAlgorithmIdentifier() : protection.Responder?.SignatureAlgorithm;
        var headerDer = WriteHeader(header, protection, protectionAlgorithm, now);
        // ProtectedPart ::= SEQUENCE { header, body [n] EXPLICIT } (RFC 4210 §5.1.3), built once: it is signed or MACed,
        // and its content is the start of the PKIMessage's content.
        var bodyLength = DerFraming.Size(bodyContent.Length);
        var protectedPart = new byte[DerFraming.Size(headerDer.Length + bodyLength)];
        var at = DerFraming.WriteHeader(protectedPart, 0x30, headerDer.Length + bodyLength);
        var content = protectedPart.AsSpan(at);
        headerDer.CopyTo(content);
        var bodyAt = headerDer.Length + DerFraming.WriteHeader(content[headerDer.Length..], (byte)(0xA0 | (int)bodyType), bodyContent.Length);
        bodyContent.CopyTo(content[bodyAt..]);

        byte[]? signature = null;
        if (protectionAlgorithm is not null)
        {
            signature = protection.Mac is { } passwordMac ? passwordMac.Compute(protection.Secret!, protectedPart) : protection.Responder!.Sign(protectedPart);
        }

        // protection [0] EXPLICIT BIT STRING (no unused bits); extraCerts [1] EXPLICIT SEQUENCE OF CMPCertificate.
        var protectionLength = signature is null ? 0 : DerFraming.Size(DerFraming.Size(1 + signature.Length));
        var certificatesLength = 0;
        foreach (var certificate in extraCerts)
        {
            certificatesLength += certificate.Length;
        }
        var extraCertsLength = extraCerts.Count == 0 ? 0 : DerFraming.Size(DerFraming.Size(certificatesLength));
        var messageContentLength = content.Length + protectionLength + extraCertsLength;
        var message = new byte[DerFraming.Size(messageContentLength)];
        var position = DerFraming.WriteHeader(message, 0x30, messageContentLength);
        content.CopyTo(message.AsSpan(position));
        position += content.Length;
        if (signature is not null)
        {
            position += DerFraming.WriteHeader(message.AsSpan(position), 0xA0, DerFraming.Size(1 + signature.Length));
            position += DerFraming.WriteHeader(message.AsSpan(position), 0x03, 1 + signature.Length);
            message[position++] = 0;
            signature.CopyTo(message, position);
            position += signature.Length;
        }
        if (extraCerts.Count > 0)
        {
            position += DerFraming.WriteHeader(message.AsSpan(position), 0xA1, DerFraming.Size(certificatesLength));
            position += DerFraming.WriteHeader(message.AsSpan(position), 0x30, certificatesLength);
            foreach (var certificate in extraCerts)
            {
                certificate.CopyTo(message, position);
                position += certificate.Length;
            }
        }
        return message;
    }

    private static byte[] WriteHeader(CmpResponseHeader header, CmpResponseProtection protection, byte[]? protectionAlgorithm, DateTimeOffset now)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(header.Version);
            // sender: the responder's name; recipient: the requester's sender, echoed (RFC 4210 §5.1.1).
            WriteDirectoryName(writer, protection.Responder?.SubjectDer);
            if (header.RecipientDer is { } recipient)
            {
                writer.WriteEncodedValue(recipient);
            }
            else
            {
                WriteDirectoryName(writer, null);
            }
            using (writer.PushSequence(Explicit0))
            {
                writer.WriteGeneralizedTime(now, omitFractionalSeconds: true);
            }
            if (protectionAlgorithm is not null)
            {
                using (writer.PushSequence(Explicit1))
                {
                    writer.WriteEncodedValue(protectionAlgorithm);
                }
            }
            if (protection.SenderKid is { } kid)
            {
                WriteOctets(writer, 2, kid);
            }
            if (header.TransactionId is { } transactionId)
            {
                WriteOctets(writer, 4, transactionId);
            }
            WriteOctets(writer, 5, header.SenderNonce);
            if (header.RecipNonce is { } recipNonce)
            {
                WriteOctets(writer, 6, recipNonce);
            }
            if (header.ImplicitConfirm)
            {
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 8, isConstructed: true)))
                using (writer.PushSequence())
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(CmpOids.ImplicitConfirm);
                    writer.WriteNull();
                }
            }
        }
        return writer.Encode();
    }

    private static void WriteDirectoryName(AsnWriter writer, byte[]? nameDer)
    {
        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 4, isConstructed: true)))
        {
            if (nameDer is null)
            {
                writer.PushSequence();
                writer.PopSequence();
            }
            else
            {
                writer.WriteEncodedValue(nameDer);
            }
        }
    }

    private static void WriteOctets(AsnWriter writer, int tag, byte[] value)
    {
        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, tag, isConstructed: true)))
        {
            writer.WriteOctetString(value);
        }
    }
}
