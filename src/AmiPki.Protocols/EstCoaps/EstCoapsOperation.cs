namespace AmiPki.Protocols.EstCoaps;

/// <summary>The short resource names of RFC 9148 §5 (Table 1) and their resource types (§5, "ace.est.*").</summary>
public static class EstCoapsOperation
{
    public const string CaCerts = "crts";
    public const string SimpleEnroll = "sen";
    public const string SimpleReenroll = "sren";
    public const string CsrAttrs = "att";
    public const string ServerKeyGen = "skg";

    /// <summary>The resource type a client filters discovery on (<c>?rt=ace.est*</c>), e.g. <c>ace.est.sen</c>.</summary>
    public static string ResourceType(string operation) => "ace.est." + operation;
}
