namespace AmiPki.Coap.Messages;

/// <summary>
/// The one exception the codec throws for any malformed datagram (RFC 7252 §3 "message format error").
/// </summary>
public sealed class CoapFormatException : Exception
{
    public CoapFormatException()
    {
    }

    public CoapFormatException(string message)
        : base(message)
    {
    }

    public CoapFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
