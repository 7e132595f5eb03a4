namespace AmiPki.Protocols.Scep;

/// <summary>What a CertRep says (RFC 8894 §3.3.2): status, and the degenerate content on SUCCESS or the failure.</summary>
public sealed record ScepReply(ScepPkiStatus Status, byte[]? Content = null, ScepFailInfo? FailInfo = null, string? FailText = null)
{
    public static ScepReply Success(byte[] degenerate) => new(ScepPkiStatus.Success, degenerate);

    public static ScepReply Pending() => new(ScepPkiStatus.Pending);

    public static ScepReply Failure(ScepFailInfo failInfo, string text) => new(ScepPkiStatus.Failure, null, failInfo, text);
}
