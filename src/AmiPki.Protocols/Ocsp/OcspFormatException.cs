namespace AmiPki.Protocols.Ocsp;

/// <summary>The one exception the OCSP request parser throws; the responder answers it with malformedRequest (RFC 6960 §2.3).</summary>
public sealed class OcspFormatException : Exception
{
    public OcspFormatException(string message) : base(message)
    {
    }

    public OcspFormatException(string message, Exception inner) : base(message, inner)
    {
    }
}
