namespace AmiPki.Core.Audit;

/// <summary>Result of verifying a chain: how many entries checked, and the first bad sequence number with why.</summary>
public sealed record AuditVerification(long EntriesChecked, long? FirstBadSequence, string? Problem)
{
    public bool IsIntact => FirstBadSequence is null && Problem is null;
}
