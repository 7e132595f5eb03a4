using System.Formats.Asn1;
using AmiPki.Core.Revocation;

namespace AmiPki.Protocols.Ocsp;

/// <summary>
/// Encodes OCSPResponse / BasicOCSPResponse (RFC 6960 §4.2.1). The OCSP module uses EXPLICIT tags, except CertStatus,
/// whose alternatives are IMPLICIT. Times are GeneralizedTime without fractions (RFC 5280 §4.1.2.5.2).
/// </summary>
public static class OcspResponseEncoder
{
    private static readonly Asn1Tag Context0 = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag Context1 = new(TagClass.ContextSpecific, 1, isConstructed: true);
    private static readonly Asn1Tag Context2 = new(TagClass.ContextSpecific, 2, isConstructed: true);
    private static readonly byte[][] StatusOnly = BuildStatusOnly();

    /// <summary>An unsuccessful OCSPResponse: the status alone, no responseBytes (§4.2.1). Shared, never to be modified.</summary>
    public static byte[] Status(OcspResponseStatus status) => StatusOnly[(int)status];

    /// <summary>A successful, signed response.</summary>
    public static byte[] Encode(OcspSigner signer, DateTimeOffset producedAt, IReadOnlyList<OcspSingleStatus> responses, ReadOnlyMemory<byte>? nonce)
    {
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(responses);
        var data = new AsnWriter(AsnEncodingRules.DER, initialCapacity: 256 + 128 * responses.Count);
        using (data.PushSequence()) // ResponseData; version v1 is the DEFAULT, so absent (DER)
        {
            using (data.PushSequence(Context2)) // responderID byKey [2] EXPLICIT KeyHash
            {
                data.WriteOctetString(signer.KeyHash);
            }
            WriteTime(data, producedAt); // producedAt
            using (data.PushSequence()) // responses
            {
                foreach (var response in responses)
                {
                    WriteSingle(data, response);
                }
            }
            if (nonce is { } value)
            {
                using (data.PushSequence(Context1)) // responseExtensions [1] EXPLICIT Extensions
                using (data.PushSequence())
                using (data.PushSequence())
                {
                    data.WriteObjectIdentifier(OcspOids.Nonce);
                    data.WriteOctetString(value.Span); // the request's extnValue, byte for byte (§4.4.1)
                }
            }
        }
        var tbs = data.Encode();
        var signature = signer.Sign(tbs);

        var basic = new AsnWriter(AsnEncodingRules.DER, initialCapacity: tbs.Length + signature.Length + (signer.CertificateDer?.Length ?? 0) + 64);
        using (basic.PushSequence()) // BasicOCSPResponse
        {
            basic.WriteEncodedValue(tbs); // tbsResponseData
            basic.WriteEncodedValue(signer.SignatureAlgorithm); // signatureAlgorithm
            basic.WriteBitString(signature); // signature
            if (signer.CertificateDer is { } certificate)
            {
                using (basic.PushSequence(Context0)) // certs [0] EXPLICIT SEQUENCE OF Certificate
                using (basic.PushSequence())
                {
                    basic.WriteEncodedValue(certificate);
                }
            }
        }
        var basicDer = basic.Encode();

        var outer = new AsnWriter(AsnEncodingRules.DER, initialCapacity: basicDer.Length + 32);
        using (outer.PushSequence()) // OCSPResponse
        {
            outer.WriteEnumeratedValue(OcspResponseStatus.Successful); // responseStatus
            using (outer.PushSequence(Context0)) // responseBytes [0] EXPLICIT ResponseBytes
            using (outer.PushSequence())
            {
                outer.WriteObjectIdentifier(OcspOids.Basic); // responseType id-pkix-ocsp-basic
                outer.WriteOctetString(basicDer); // response
            }
        }
        return outer.Encode();
    }

    private static void WriteSingle(AsnWriter writer, OcspSingleStatus response)
    {
        using (writer.PushSequence()) // SingleResponse
        {
            writer.WriteEncodedValue(response.CertIdDer.Span); // certID, as the client sent it
            switch (response.Status)
            {
                case CertificateStatus.Good:
                    writer.WriteNull(new Asn1Tag(TagClass.ContextSpecific, 0)); // good [0] IMPLICIT NULL
                    break;
                case CertificateStatus.Revoked:
                    using (writer.PushSequence(Context1)) // revoked [1] IMPLICIT RevokedInfo
                    {
                        var revocation = response.Revocation ?? throw new ArgumentException("a revoked status needs its revocation");
                        WriteTime(writer, revocation.RevokedAt); // revocationTime
                        using (writer.PushSequence(Context0)) // revocationReason [0] EXPLICIT CRLReason
                        {
                            writer.WriteEnumeratedValue(revocation.Reason);
                        }
                    }
                    break;
                default:
                    writer.WriteNull(new Asn1Tag(TagClass.ContextSpecific, 2)); // unknown [2] IMPLICIT UnknownInfo (NULL)
                    break;
            }
            WriteTime(writer, response.ThisUpdate); // thisUpdate
            using (writer.PushSequence(Context0)) // nextUpdate [0] EXPLICIT: always given (RFC 5019 §2.2.4)
            {
                WriteTime(writer, response.NextUpdate);
            }
        }
    }

    private static void WriteTime(AsnWriter writer, DateTimeOffset time)
    {
        var ticks = time.UtcTicks;
        writer.WriteGeneralizedTime(new DateTimeOffset(ticks - ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero), omitFractionalSeconds: true);
    }

    private static byte[][] BuildStatusOnly()
    {
        var all = new byte[7][];
        for (var status = 0; status < all.Length; status++)
        {
            var writer = new AsnWriter(AsnEncodingRules.DER);
            using (writer.PushSequence())
            {
                writer.WriteEnumeratedValue((OcspResponseStatus)(status == 4 ? 2 : status));
            }
            all[status] = writer.Encode();
        }
        return all;
    }
}
