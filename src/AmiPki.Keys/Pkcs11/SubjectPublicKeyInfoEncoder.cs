using System.Formats.Asn1;
using AmiPki.Core.Asn1;

namespace AmiPki.Keys.Pkcs11;

/// <summary>
/// Builds a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) from what a token's public key object holds.
/// </summary>
internal static class SubjectPublicKeyInfoEncoder
{
    /// <summary>id-ecPublicKey with a namedCurve parameter and the uncompressed point (RFC 5480 §2.1.1, §2.2).</summary>
    public static byte[] EncodeEc(string curveOid, ReadOnlySpan<byte> uncompressedPoint)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            // algorithm AlgorithmIdentifier
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(Oids.EcPublicKey);
                // parameters ECParameters ::= namedCurve
                writer.WriteObjectIdentifier(curveOid);
            }
            // subjectPublicKey BIT STRING: the ECPoint octets themselves, not an OCTET STRING
            writer.WriteBitString(uncompressedPoint);
        }
        return writer.Encode();
    }

    /// <summary>rsaEncryption with NULL parameters and an RSAPublicKey (RFC 3279 §2.3.1, RFC 8017 Appendix A.1.1).</summary>
    public static byte[] EncodeRsa(ReadOnlySpan<byte> modulus, ReadOnlySpan<byte> publicExponent)
    {
        var key = new AsnWriter(AsnEncodingRules.DER);
        using (key.PushSequence())
        {
            // modulus INTEGER, publicExponent INTEGER: big-endian unsigned, as CKA_MODULUS and CKA_PUBLIC_EXPONENT are.
            key.WriteIntegerUnsigned(TrimLeadingZeros(modulus));
            key.WriteIntegerUnsigned(TrimLeadingZeros(publicExponent));
        }

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier(Oids.RsaEncryption);
                writer.WriteNull();
            }
            writer.WriteBitString(key.Encode());
        }
        return writer.Encode();
    }

    /// <summary>
    /// CKA_EC_POINT is "DER-encoding of ANSI X9.62 ECPoint value Q" (mechanisms §2.3.3), i.e. an OCTET
    /// STRING around 04||X||Y. Some modules (older OpenSC drivers) return the bare point; both are accepted,
    /// told apart by the expected length. Only the uncompressed form is accepted.
    /// </summary>
    public static byte[] UnwrapEcPoint(ReadOnlySpan<byte> value, int fieldBytes)
    {
        var pointLength = 1 + 2 * fieldBytes;
        if (value.Length == pointLength && value[0] == 0x04)
        {
            return value.ToArray();
        }
        byte[] point;
        try
        {
            point = AsnDecoder.ReadOctetString(value, AsnEncodingRules.DER, out var consumed);
            if (consumed != value.Length)
            {
                throw new FormatException("trailing bytes after the OCTET STRING");
            }
        }
        catch (AsnContentException e)
        {
            throw new FormatException("CKA_EC_POINT is neither an OCTET STRING nor an uncompressed point", e);
        }
        if (point.Length != pointLength || point[0] != 0x04)
        {
            throw new FormatException($"CKA_EC_POINT holds {point.Length} bytes, not an uncompressed point of {pointLength}");
        }
        return point;
    }

    private static ReadOnlySpan<byte> TrimLeadingZeros(ReadOnlySpan<byte> value)
    {
        var start = 0;
        while (start < value.Length - 1 && value[start] == 0)
        {
            start++;
        }
        return value[start..];
    }
}
