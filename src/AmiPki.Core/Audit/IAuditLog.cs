namespace AmiPki.Core.Audit;

/// <summary>Append-only, hash-chained audit log (DESIGN.md, Audit).</summary>
public interface IAuditLog
{
    /// <summary>Appends durably (group-committed with other writers).</summary>
    Task AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>Every entry in sequence order, for verification and queries.</summary>
    IAsyncEnumerable<AuditEntry> ReadAllAsync(CancellationToken cancellationToken);
}
