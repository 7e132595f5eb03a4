namespace AmiPki.Storage;

/// <summary>The audit kinds and outcome storage writes itself, the same for every dialect (callers write their own events).</summary>
internal static class StorageAuditKinds
{
    public const string Revocation = "revocation";
    public const string HoldRelease = "revocation.release-hold";
    public const string Success = "success";
}
