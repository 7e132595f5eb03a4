namespace AmiPki.Protocols.EstCoaps;

/// <summary>
/// application/multipart-core (RFC 8710 §2): a CBOR array of alternating Content-Format numbers (unsigned integers)
/// and representations (byte strings). /skg answers <c>[284, h'pkcs8', 281, h'certs-only']</c> (RFC 9148 §4.8).
/// Only the two CBOR major types needed are written (RFC 8949 §3.1: 0 unsigned integer, 2 byte string, 4 array).
/// </summary>
internal static class MultipartCore
{
    public static byte[] Encode(IReadOnlyList<(int ContentFormat, ReadOnlyMemory<byte> Representation)> parts)
    {
        var output = new List<byte>(16 + parts.Sum(part => part.Representation.Length + 8));
        WriteHead(output, majorType: 4, (ulong)parts.Count * 2);
        foreach (var (contentFormat, representation) in parts)
        {
            WriteHead(output, majorType: 0, (ulong)contentFormat);
            WriteHead(output, majorType: 2, (ulong)representation.Length);
            output.AddRange(representation.Span);
        }

        return [.. output];
    }

    /// <summary>RFC 8949 §3: major type in the top 3 bits; the argument inline below 24, else in 1, 2, 4 or 8 bytes.</summary>
    private static void WriteHead(List<byte> output, int majorType, ulong argument)
    {
        byte type = (byte)(majorType << 5);
        switch (argument)
        {
            case < 24:
                output.Add((byte)(type | (byte)argument));
                break;
            case <= byte.MaxValue:
                output.Add((byte)(type | 24));
                output.Add((byte)argument);
                break;
            case <= ushort.MaxValue:
                output.Add((byte)(type | 25));
                output.Add((byte)(argument >> 8));
                output.Add((byte)argument);
                break;
            case <= uint.MaxValue:
                output.Add((byte)(type | 26));
                for (int shift = 24; shift >= 0; shift -= 8)
                {
                    output.Add((byte)(argument >> shift));
                }

                break;
            default:
                output.Add((byte)(type | 27));
                for (int shift = 56; shift >= 0; shift -= 8)
                {
                    output.Add((byte)(argument >> shift));
                }

                break;
        }
    }
}
