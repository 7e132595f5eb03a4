using System.Formats.Asn1;

namespace AmiPki.Protocols.Cmp;

/// <summary>Encoders of the response bodies (RFC 4210 §5.3): CertRepMessage, RevRepContent, PKIConfirmContent, GenRepContent, PollRepContent, ErrorMsgContent.</summary>
public static class CmpBodies
{
    /// <summary>CertRepMessage ::= SEQUENCE { caPubs [1] OPTIONAL, response SEQUENCE OF CertResponse } (RFC 4210 §5.3.4).</summary>
    public static byte[] CertRep(IReadOnlyList<byte[]> caPubs, int certReqId, byte[]? certificateDer, PkiFailureInfo? failure, string? text, int? status = null)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            if (caPubs.Count > 0)
            {
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true)))
                using (writer.PushSequence())
                {
                    foreach (var certificate in caPubs)
                    {
                        writer.WriteEncodedValue(certificate);
                    }
                }
            }
            using (writer.PushSequence())
            using (writer.PushSequence())
            {
                writer.WriteInteger(certReqId);
                WriteStatus(writer, status ?? (failure is null ? 0 : 2), failure, text);
                if (certificateDer is not null)
                {
                    // CertifiedKeyPair { certOrEncCert CertOrEncCert { certificate [0] CMPCertificate } } (explicit: a CHOICE).
                    using (writer.PushSequence())
                    using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                    {
                        writer.WriteEncodedValue(certificateDer);
                    }
                }
            }
        }
        return writer.Encode();
    }

    /// <summary>RevRepContent ::= SEQUENCE { status SEQUENCE OF PKIStatusInfo, ... } (RFC 4210 §5.3.10).</summary>
    public static byte[] RevRep(PkiFailureInfo? failure, string? text)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence())
        {
            WriteStatus(writer, failure is null ? 0 : 2, failure, text);
        }
        return writer.Encode();
    }

    /// <summary>PKIConfirmContent ::= NULL (RFC 4210 §5.3.17).</summary>
    public static byte[] PkiConf() => [0x05, 0x00];

    /// <summary>GenRepContent ::= SEQUENCE OF InfoTypeAndValue (RFC 4210 §5.3.20); a null value is left absent.</summary>
    public static byte[] GenRep(IReadOnlyList<(string Oid, byte[]? Value)> infos)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (var (oid, value) in infos)
            {
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(oid);
                    if (value is not null)
                    {
                        writer.WriteEncodedValue(value);
                    }
                }
            }
        }
        return writer.Encode();
    }

    /// <summary>PollRepContent ::= SEQUENCE OF SEQUENCE { certReqId, checkAfter, reason OPTIONAL } (RFC 4210 §5.3.22).</summary>
    public static byte[] PollRep(int certReqId, int checkAfterSeconds, string reason)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence())
        {
            writer.WriteInteger(certReqId);
            writer.WriteInteger(checkAfterSeconds);
            using (writer.PushSequence())
            {
                writer.WriteCharacterString(UniversalTagNumber.UTF8String, reason);
            }
        }
        return writer.Encode();
    }

    /// <summary>ErrorMsgContent ::= SEQUENCE { pKIStatusInfo, errorCode OPTIONAL, errorDetails OPTIONAL } (RFC 4210 §5.3.21).</summary>
    public static byte[] Error(PkiFailureInfo failure, string text)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            WriteStatus(writer, 2, failure, text);
        }
        return writer.Encode();
    }

    /// <summary>A SEQUENCE OF CMPCertificate (caCerts, RFC 9480 §4.3.1).</summary>
    public static byte[] Certificates(IEnumerable<byte[]> certificates)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (var certificate in certificates)
            {
                writer.WriteEncodedValue(certificate);
            }
        }
        return writer.Encode();
    }

    /// <summary>PKIStatusInfo ::= SEQUENCE { status, statusString PKIFreeText OPTIONAL, failInfo PKIFailureInfo OPTIONAL } (RFC 4210 §5.2.3).</summary>
    public static void WriteStatus(AsnWriter writer, int status, PkiFailureInfo? failure, string? text)
    {
        using (writer.PushSequence())
        {
            writer.WriteInteger(status);
            if (!string.IsNullOrEmpty(text))
            {
                using (writer.PushSequence())
                {
                    writer.WriteCharacterString(UniversalTagNumber.UTF8String, text.Length > 512 ? text[..512] : text);
                }
            }
            if (failure is { } bit)
            {
                // A named BIT STRING in DER drops trailing zero bits (X.690 §11.2.2): the last octet holds our bit.
                var number = (int)bit;
                var bytes = new byte[number / 8 + 1];
                bytes[number / 8] = (byte)(0x80 >> (number % 8));
                writer.WriteBitString(bytes, 7 - number % 8);
            }
        }
    }
}
