namespace AmiPki.Coap.Messages;

/// <summary>
/// The "uint" option value format: big-endian, as few bytes as possible, zero as the empty value
/// (RFC 7252 §3.2). Leading zero bytes are accepted when reading.
/// </summary>
public static class UIntOptionValue
{
    public static byte[] Encode(uint value)
    {
        int length = value switch
        {
            0 => 0,
            <= 0xFF => 1,
            <= 0xFFFF => 2,
            <= 0xFFFFFF => 3,
            _ => 4,
        };
        var bytes = new byte[length];
        for (int i = length - 1; i >= 0; i--)
        {
            bytes[i] = (byte)value;
            value >>= 8;
        }

        return bytes;
    }

    public static uint Decode(ReadOnlySpan<byte> value)
    {
        if (value.Length > 4)
        {
            throw new CoapFormatException($"uint option value of {value.Length} bytes exceeds 4 bytes");
        }

        uint result = 0;
        foreach (byte b in value)
        {
            result = (result << 8) | b;
        }

        return result;
    }
}
