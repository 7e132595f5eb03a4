namespace AmiPki.Protocols.Est;

/// <summary>The EST operation path segments (RFC 7030 §3.2.2).</summary>
internal static class EstOperation
{
    public const string CaCerts = "cacerts";
    public const string SimpleEnroll = "simpleenroll";
    public const string SimpleReenroll = "simplereenroll";
    public const string ServerKeyGen = "serverkeygen";
    public const string CsrAttrs = "csrattrs";
}
