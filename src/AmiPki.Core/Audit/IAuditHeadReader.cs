namespace AmiPki.Core.Audit;

/// <summary>Reads the recorded chain heads, one per node (see <see cref="AuditHead"/>).</summary>
public interface IAuditHeadReader
{
    Task<IReadOnlyCollection<AuditHead>> ReadHeadsAsync(CancellationToken cancellationToken);
}
