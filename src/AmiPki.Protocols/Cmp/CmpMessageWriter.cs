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
        var bodyWriter = new AsnWriter(AsnEncodingRules.DER);
        using (bodyWriter.PushSequence(new Asn1Tag(TagClass.ContextSpecific, (int)bodyType, isConstructed: true)))
        {
            bodyWriter.WriteEncodedValue(bodyContent);
        }
        var bodyDer = bodyWriter.Encode();

        byte[]? signature = null;
        if (protectionAlgorithm is not null)
        {
            var protectedPart = PkiMessage.ProtectedPartOf(headerDer, bodyDer);
            signature = protection.Mac is { } passwordMac ? passwordMac.Compute(protection.Secret!, protectedPart) : protection.Responder!.Sign(protectedPart);
        }

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteEncodedValue(headerDer);
            writer.WriteEncodedValue(bodyDer);
            if (signature is not null)
            {
                using (writer.PushSequence(Explicit0))
                {
                    writer.WriteBitString(signature);
                }
            }
            if (extraCerts.Count > 0)
            {
                using (writer.PushSequence(Explicit1))
                using (writer.PushSequence())
                {
                    foreach (var certificate in extraCerts)
                    {
                        writer.WriteEncodedValue(certificate);
                    }
                }
            }
        }
        return writer.Encode();
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
