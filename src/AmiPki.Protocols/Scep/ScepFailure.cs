namespace AmiPki.Protocols.Scep;

/// <summary>
/// A request the SCEP adapter refuses: answered as a CertRep with pkiStatus FAILURE, this failInfo and failInfoText
/// (RFC 8894 §3.3.2), HTTP 200. Never leaves the adapter.
/// </summary>
public sealed class ScepFailure : Exception
{
    public ScepFailure(ScepFailInfo failInfo, string text) : base(text)
    {
        FailInfo = failInfo;
    }

    public ScepFailInfo FailInfo { get; }
}
