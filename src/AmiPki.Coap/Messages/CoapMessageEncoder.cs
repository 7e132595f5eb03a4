namespace AmiPki.Coap.Messages;

/// <summary>Serialises a <see cref="CoapMessage"/> into one datagram (RFC 7252 §3).</summary>
public static class CoapMessageEncoder
{
    /// <summary>The largest length the 14-form can express: 65535 + 269 (RFC 7252 §3.1).</summary>
    public const int MaxOptionLength = ushort.MaxValue + 269;

    public static byte[] Encode(CoapMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.IsEmpty && (message.Token.Length != 0 || message.Options.Count != 0 || message.Payload.Length != 0))
        {
            throw new InvalidOperationException("an Empty message (0.00) has no token, options or payload (RFC 7252 §4.1)");
        }

        var output = new List<byte>(64 + message.Payload.Length);
        output.Add((byte)((CoapMessageDecoder.Version << 6) | ((int)message.Type << 4) | message.Token.Length));
        output.Add(message.Code);
        output.Add((byte)(message.MessageId >> 8));
        output.Add((byte)message.MessageId);
        output.AddRange(message.Token.Span);

        int previousNumber = 0;
        foreach (var option in message.Options)
        {
            // CoapMessage keeps options sorted, so deltas are never negative.
            int delta = option.Number - previousNumber;
            int length = option.Value.Length;
            output.Add((byte)((Nibble(delta) << 4) | Nibble(length)));
            AppendExtended(output, delta);
            AppendExtended(output, length);
            output.AddRange(option.Value.Span);
            previousNumber = option.Number;
        }

        // RFC 7252 §3: the marker is present only when a non-empty payload follows.
        if (message.Payload.Length > 0)
        {
            output.Add(CoapMessageDecoder.PayloadMarker);
            output.AddRange(message.Payload.Span);
        }

        return output.ToArray();
    }

    private static int Nibble(int value) => value switch
    {
        < 13 => value,
        < 269 => 13,
        _ => 14,
    };

    private static void AppendExtended(List<byte> output, int value)
    {
        if (value >= 269)
        {
            int extended = value - 269;
            output.Add((byte)(extended >> 8));
            output.Add((byte)extended);
        }
        else if (value >= 13)
        {
            output.Add((byte)(value - 13));
        }
    }
}
