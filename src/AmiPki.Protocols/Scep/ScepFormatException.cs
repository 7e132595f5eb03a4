namespace AmiPki.Protocols.Scep;

/// <summary>
/// A pkiMessage so broken that no CertRep can be addressed to its sender (not CMS SignedData, or no transactionID /
/// senderNonce, RFC 8894 §3.2.1): answered HTTP 400 with a text body.
/// </summary>
public sealed class ScepFormatException : Exception
{
    public ScepFormatException(string message) : base(message)
    {
    }

    public ScepFormatException(string message, Exception inner) : base(message, inner)
    {
    }
}
