using AmiPki.Core.Audit;

namespace AmiPki.Server.Jobs;

/// <summary>
/// Writes each node's chain head (sequence number and hash) into the audit log as a checkpoint entry. Copied off the
/// machine (log shipping, a printout), a checkpoint lets <c>amipki audit verify</c>'s result be compared with a head
/// an attacker who rewrote the whole chain could not also change.
/// </summary>
public sealed class AuditCheckpointJob(IAuditHeadReader heads, IAuditLog audit, TimeProvider time) : IAmiPkiJob
{
    public string Name => JobNames.AuditCheckpoint;

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var current = await heads.ReadHeadsAsync(cancellationToken);
        var detail = current.Count == 0
            ? "empty audit log"
            : string.Join("; ", current.OrderBy(h => h.Node, StringComparer.Ordinal).Select(h => $"node {h.Node} seq {h.Sequence} hash {Convert.ToHexStringLower(h.Hash)}"));
        await audit.AppendAsync(new AuditEvent(time.GetUtcNow(), "audit.checkpoint", "amipki:scheduler", "success", detail), cancellationToken);
        return detail;
    }
}
