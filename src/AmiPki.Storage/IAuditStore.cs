using AmiPki.Core.Audit;

namespace AmiPki.Storage;

/// <summary>The audit log with its chain heads, and a verification that reads both from one consistent snapshot.</summary>
public interface IAuditStore : IAuditLog, IAuditHeadReader
{
    /// <summary>
    /// Verifies every node's chain against its head, both read from one snapshot, so entries appended meanwhile by a live
    /// server are not mistaken for a truncation.
    /// </summary>
    Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken);
}
