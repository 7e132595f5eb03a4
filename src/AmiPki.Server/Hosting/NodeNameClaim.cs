using System.Diagnostics;
using System.Globalization;
using AmiPki.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AmiPki.Server.Hosting;

/// <summary>
/// This server's hold on its <see cref="AmiPkiOptions.NodeName"/> (storage's <see cref="INodeHeartbeats"/>): claimed at start,
/// before anything is written under the name, refreshed every third of <see cref="AmiPkiOptions.NodeLivenessSeconds"/> while
/// the host runs, released when it stops. A second process under a name a live one holds would share its audit chain and
/// take its in-flight intents for orphans; it is refused at start instead.
/// </summary>
public sealed class NodeNameClaim : BackgroundService
{
    private readonly INodeHeartbeats _heartbeats;
    private readonly TimeProvider _time;
    private readonly TimeSpan _liveness;
    private ILogger? _logger;

    private NodeNameClaim(INodeHeartbeats heartbeats, string node, NodeInstance instance, TimeSpan liveness, TimeProvider time)
    {
        _heartbeats = heartbeats;
        Node = node;
        Instance = instance;
        _liveness = liveness;
        _time = time;
    }

    public string Node { get; }

    public NodeInstance Instance { get; }

    /// <summary>Claims <paramref name="node"/> for this process.</summary>
    /// <exception cref="InvalidOperationException">A live process holds the name (the message is the one line to show).</exception>
    public static async Task<NodeNameClaim> ClaimAsync(IAmiPkiStorage storage, string node, int livenessSeconds, TimeProvider time,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        if (livenessSeconds < 3)
        {
            throw new ArgumentException($"AmiPki:NodeLivenessSeconds must be 3 or more, not {livenessSeconds}");
        }
        var liveness = TimeSpan.FromSeconds(livenessSeconds);
        var me = new NodeInstance(Guid.NewGuid().ToString("N"), Environment.MachineName, Environment.ProcessId);
        var now = time.GetUtcNow();
        var holder = await storage.Nodes.TryClaimAsync(node, me, now, now - liveness, replacing: null, cancellationToken);
        if (holder is not null && IsDeadHere(holder.Instance, me))
        {
            // Killed on this machine less than the liveness ago (a crash, a SIGKILL): its process is gone, so is its hold.
            holder = await storage.Nodes.TryClaimAsync(node, me, now, now - liveness, replacing: holder.Instance.InstanceId, cancellationToken);
        }
        if (holder is not null)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"node name '{node}' is held by a live process (pid {holder.Instance.ProcessId} on {holder.Instance.Host}) since {holder.Since:u}, " +
                $"last seen {holder.LastSeen:u}: give this node its own AmiPki:NodeName, or stop the other process (its hold lapses {livenessSeconds} s after its last heartbeat)"));
        }
        return new NodeNameClaim(storage.Nodes, node, me, liveness, time);
    }

    /// <summary>The holder ran on this machine and its process is no longer running (or this process now has its id).</summary>
    private static bool IsDeadHere(NodeInstance holder, NodeInstance me)
    {
        if (!string.Equals(holder.Host, me.Host, StringComparison.Ordinal))
        {
            return false;
        }
        if (holder.ProcessId == me.ProcessId)
        {
            return true;
        }
        try
        {
            using var process = Process.GetProcessById(holder.ProcessId);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    /// <summary>Set once the host is built (the claim is taken before its logging exists).</summary>
    public void UseLogger(ILogger logger) => _logger = logger;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_liveness / 3, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (!await _heartbeats.RefreshAsync(Node, Instance.InstanceId, _time.GetUtcNow(), stoppingToken))
                {
                    // Our hold lapsed (storage was out for longer than the liveness) and another process took the name.
                    var holder = await _heartbeats.FindAsync(Node, stoppingToken);
                    if (_logger is not null)
                    {
                        NodeLog.NameTakenOver(_logger, Node, holder?.Instance.ProcessId ?? 0, holder?.Instance.Host ?? "?");
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A heartbeat that fails (storage down) is retried at the next tick.
            catch (Exception e)
#pragma warning restore CA1031
            {
                if (_logger is not null)
                {
                    NodeLog.HeartbeatFailed(_logger, e, Node);
                }
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await _heartbeats.ReleaseAsync(Node, Instance.InstanceId, timeout.Token);
        }
#pragma warning disable CA1031 // Not released: the hold lapses after the liveness anyway.
        catch (Exception e)
#pragma warning restore CA1031
        {
            if (_logger is not null)
            {
                NodeLog.ReleaseFailed(_logger, e, Node);
            }
        }
    }
}

internal static partial class NodeLog
{
    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "refreshing the hold on node name {Node} failed; retried at the next heartbeat")]
    public static partial void HeartbeatFailed(ILogger logger, Exception exception, string node);

    [LoggerMessage(EventId = 11, Level = LogLevel.Critical,
        Message = "node name {Node} was taken over by pid {ProcessId} on {Host} after this process's hold lapsed: two processes now run under one node name")]
    public static partial void NameTakenOver(ILogger logger, string node, int processId, string host);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "releasing node name {Node} failed; the hold lapses on its own")]
    public static partial void ReleaseFailed(ILogger logger, Exception exception, string node);
}
