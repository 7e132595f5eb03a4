namespace AmiPki.Storage;

/// <summary>One running <c>amipki serve</c> process: a fresh id per start, and where it runs.</summary>
/// <param name="InstanceId">Unique per process start.</param>
/// <param name="Host">The machine's name.</param>
/// <param name="ProcessId">The process id on <paramref name="Host"/>.</param>
public sealed record NodeInstance(string InstanceId, string Host, int ProcessId);

/// <summary>Who holds a node name (table <c>node_heartbeats</c>, migration 0007).</summary>
/// <param name="Since">When <paramref name="Instance"/> claimed the name.</param>
/// <param name="LastSeen">Its last heartbeat.</param>
public sealed record NodeHolder(NodeInstance Instance, DateTimeOffset Since, DateTimeOffset LastSeen);

/// <summary>
/// Node names held by live processes: a server claims its name at start, refreshes it while it runs and releases it when it
/// stops, so a second process started under a name a live one holds (two nodes sharing one audit chain) is refused.
/// </summary>
public interface INodeHeartbeats
{
    /// <summary>
    /// Claims <paramref name="node"/> for <paramref name="instance"/> unless another instance refreshed it after
    /// <paramref name="staleBefore"/> (or is <paramref name="replacing"/>, known dead). One conditional statement: of processes
    /// racing for a free name exactly one wins.
    /// </summary>
    /// <returns>Null when claimed; otherwise who holds it.</returns>
    Task<NodeHolder?> TryClaimAsync(string node, NodeInstance instance, DateTimeOffset now, DateTimeOffset staleBefore, string? replacing,
        CancellationToken cancellationToken);

    /// <summary>Moves <paramref name="node"/>'s last heartbeat to <paramref name="now"/> if <paramref name="instanceId"/> still holds it.</summary>
    /// <returns>False when another instance took the name over.</returns>
    Task<bool> RefreshAsync(string node, string instanceId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Gives the name up (a clean stop), if <paramref name="instanceId"/> still holds it.</summary>
    Task ReleaseAsync(string node, string instanceId, CancellationToken cancellationToken);

    Task<NodeHolder?> FindAsync(string node, CancellationToken cancellationToken);
}
