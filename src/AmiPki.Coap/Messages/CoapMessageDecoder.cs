namespace AmiPki.Coap.Messages;

/// <summary>Parses one datagram into a <see cref="CoapMessage"/> (RFC 7252 §3).</summary>
public static class CoapMessageDecoder
{
    /// <summary>The only protocol version (RFC 7252 §3: Ver = 1).</summary>
    public const int Version = 1;

    /// <summary>The header fields that are readable even when the rest of the datagram is not.</summary>
    public readonly record struct Header(int Version, CoapMessageType Type, int TokenLength, byte Code, ushort MessageId);

    /// <summary>Reads the fixed 4-byte header only, so a format error can still be answered (RFC 7252 §4.2).</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> datagram, out Header header)
    {
        if (datagram.Length < 4)
        {
            header = default;
            return false;
        }

        header = new Header(
            datagram[0] >> 6,
            (CoapMessageType)((datagram[0] >> 4) & 0x3),
            datagram[0] & 0x0F,
            datagram[1],
            (ushort)((datagram[2] << 8) | datagram[3]));
        return true;
    }

    /// <exception cref="CoapFormatException">The datagram is not a well-formed CoAP message.</exception>
    public static CoapMessage Decode(ReadOnlySpan<byte> datagram)
    {
        var reader = new CoapBufferReader(datagram);
        byte first = reader.ReadByte();
        int version = first >> 6;
        if (version != Version)
        {
            throw new CoapFormatException($"unknown CoAP version {version}");
        }

        var type = (CoapMessageType)((first >> 4) & 0x3);
        int tokenLength = first & 0x0F;
        if (tokenLength > CoapMessage.MaxTokenLength)
        {
            // RFC 7252 §3: lengths 9-15 are reserved and MUST be processed as a message format error.
            throw new CoapFormatException($"token length {tokenLength} is reserved");
        }

        byte code = reader.ReadByte();
        ushort messageId = reader.ReadUInt16BigEndian();

        if (code == CoapCode.Empty)
        {
            // RFC 7252 §4.1: an Empty message is exactly the 4-byte header.
            if (tokenLength != 0 || !reader.AtEnd)
            {
                throw new CoapFormatException("Empty message (0.00) carries a token, options or payload");
            }

            return CoapMessage.CreateEmpty(type, messageId);
        }

        var token = reader.ReadBytes(tokenLength);
        var options = new List<CoapOption>();
        int optionNumber = 0;
        var payload = ReadOnlySpan<byte>.Empty;

        while (!reader.AtEnd)
        {
            byte optionHeader = reader.ReadByte();
            if (optionHeader == PayloadMarker)
            {
                // RFC 7252 §3: a marker followed by a zero-length payload is a format error.
                if (reader.AtEnd)
                {
                    throw new CoapFormatException("payload marker followed by an empty payload");
                }

                payload = reader.ReadToEnd();
                break;
            }

            int delta = ReadExtended(ref reader, optionHeader >> 4, "delta");
            int length = ReadExtended(ref reader, optionHeader & 0x0F, "length");
            optionNumber += delta;
            if (optionNumber > ushort.MaxValue)
            {
                throw new CoapFormatException($"option number {optionNumber} exceeds 65535");
            }

            options.Add(new CoapOption(optionNumber, reader.ReadBytes(length)));
        }

        return new CoapMessage(type, code, messageId, token, options, payload);
    }

    internal const byte PayloadMarker = 0xFF;

    /// <summary>
    /// The 4-bit delta/length nibble: 0–12 literal, 13 one extra byte (+13), 14 two extra bytes (+269),
    /// 15 reserved (RFC 7252 §3.1). A 15 outside the 0xFF marker is a format error.
    /// </summary>
    private static int ReadExtended(ref CoapBufferReader reader, int nibble, string field) => nibble switch
    {
        <= 12 => nibble,
        13 => reader.ReadByte() + 13,
        14 => reader.ReadUInt16BigEndian() + 269,
        _ => throw new CoapFormatException($"option {field} nibble 15 is reserved"),
    };
}
