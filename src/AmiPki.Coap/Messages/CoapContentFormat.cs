namespace AmiPki.Coap.Messages;

/// <summary>The few Content-Format numbers this library itself needs (RFC 7252 §12.3).</summary>
public static class CoapContentFormat
{
    public const int TextPlain = 0;

    /// <summary>application/link-format, used by /.well-known/core (RFC 6690 §7.2).</summary>
    public const int LinkFormat = 40;

    public const int OctetStream = 42;
}
