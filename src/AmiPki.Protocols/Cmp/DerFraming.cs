namespace AmiPki.Protocols.Cmp;

/// <summary>
/// DER identifier and length octets (X.690 §8.1.2-8.1.3, §10.1) written by hand around content that is already DER, so
/// a message is assembled in one buffer of its final size instead of AsnWriter's copies (each pushed SEQUENCE moves
/// its content again once its length is known, and Encode copies the whole once more).
/// </summary>
internal static class DerFraming
{
    /// <summary>Size of a TLV with <paramref name="contentLength"/> content octets and a one-octet tag.</summary>
    public static int Size(int contentLength) => 1 + LengthOctets(contentLength) + contentLength;

    /// <summary>Writes tag and definite length; returns how many octets that took.</summary>
    public static int WriteHeader(Span<byte> destination, byte tag, int contentLength)
    {
        destination[0] = tag;
        if (contentLength < 0x80)
        {
            destination[1] = (byte)contentLength;
            return 2;
        }
        var octets = LengthOctets(contentLength) - 1;
        destination[1] = (byte)(0x80 | octets);
        for (var i = 0; i < octets; i++)
        {
            destination[1 + octets - i] = (byte)(contentLength >> (8 * i));
        }
        return 2 + octets;
    }

    /// <summary>A TLV around the concatenation of <paramref name="first"/> and <paramref name="second"/>.</summary>
    public static byte[] Wrap(byte tag, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        var result = new byte[Size(first.Length + second.Length)];
        var at = WriteHeader(result, tag, first.Length + second.Length);
        first.CopyTo(result.AsSpan(at));
        second.CopyTo(result.AsSpan(at + first.Length));
        return result;
    }

    private static int LengthOctets(int length) => length switch
    {
        < 0x80 => 1,
        <= 0xFF => 2,
        <= 0xFFFF => 3,
        <= 0xFFFFFF => 4,
        _ => 5,
    };
}
