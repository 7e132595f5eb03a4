namespace AmiPki.Coap.Dtls;

/// <summary>A DTLS configuration or engine failure (never thrown for what a remote peer sends).</summary>
public sealed class DtlsException : Exception
{
    public DtlsException()
    {
    }

    public DtlsException(string message)
        : base(message)
    {
    }

    public DtlsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
