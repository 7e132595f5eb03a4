namespace AmiPki.Protocols.Cmp;

/// <summary>A CMP or CRMF structure that is not well-formed DER or breaks a bound: the one exception the codec throws.</summary>
public sealed class CmpFormatException : Exception
{
    public CmpFormatException(string message) : base(message)
    {
    }

    public CmpFormatException(string message, Exception inner) : base(message, inner)
    {
    }
}
