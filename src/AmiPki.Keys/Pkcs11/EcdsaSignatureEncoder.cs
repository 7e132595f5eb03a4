using System.Formats.Asn1;

namespace AmiPki.Keys.Pkcs11;

/// <summary>
/// CKM_ECDSA returns r and s concatenated, each as long as the curve order (PKCS#11 v2.40 current
/// mechanisms §2.3.1); X.509 wants the DER Ecdsa-Sig-Value (RFC 3279 §2.2.3).
/// </summary>
internal static class EcdsaSignatureEncoder
{
    public static byte[] ToDer(ReadOnlySpan<byte> rawSignature)
    {
        if (rawSignature.Length == 0 || rawSignature.Length % 2 != 0)
        {
            throw new FormatException($"an ECDSA signature from the token must be r||s of equal halves, got {rawSignature.Length} bytes");
        }
        var half = rawSignature.Length / 2;
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            // r INTEGER, s INTEGER: unsigned big-endian, minimal DER (leading zero octets removed).
            writer.WriteIntegerUnsigned(TrimLeadingZeros(rawSignature[..half]));
            writer.WriteIntegerUnsigned(TrimLeadingZeros(rawSignature[half..]));
        }
        return writer.Encode();
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
