using AmiPki.Storage.Rows;
using AmiPki.Storage.Sqlite.Writing;

namespace AmiPki.Storage.Sqlite.Nodes;

/// <summary>
/// Node names held by live processes (table <c>node_heartbeats</c>, migration 0007): writes through the writer, reads on
/// read connections. Processes on one SQLite file serialise on its write lock, so the conditional upsert has one winner.
/// </summary>
internal sealed class SqliteNodeHeartbeats : INodeHeartbeats
{
    // Takes a free name, a stale one, one this instance already holds, or the known-dead holder's; leaves a live one alone.
    private const string Claim = """
        INSERT INTO node_heartbeats (node, instance_id, host, pid, started_at, last_seen)
        VALUES (@node, @instance, @host, @pid, @now, @now)
        ON CONFLICT (node) DO UPDATE SET instance_id = excluded.instance_id, host = excluded.host, pid = excluded.pid,
            started_at = CASE WHEN node_heartbeats.instance_id = excluded.instance_id THEN node_heartbeats.started_at ELSE excluded.started_at END,
            last_seen = excluded.last_seen
        WHERE node_heartbeats.instance_id = excluded.instance_id OR node_heartbeats.last_seen < @stale_before
            OR node_heartbeats.instance_id = @replacing;
        """;
    private const string Refresh = "UPDATE node_heartbeats SET last_seen = @now WHERE node = @node AND instance_id = @instance;";
    private const string Release = "DELETE FROM node_heartbeats WHERE node = @node AND instance_id = @instance;";
    private const string Find = "SELECT " + NodeHeartbeatRows.Columns + " FROM node_heartbeats WHERE node = @node;";

    private readonly SqliteWriter _writer;
    private readonly SqliteReadPool _reads;

    public SqliteNodeHeartbeats(SqliteWriter writer, SqliteReadPool reads)
    {
        _writer = writer;
        _reads = reads;
    }

    public async Task<NodeHolder?> TryClaimAsync(string node, NodeInstance instance, DateTimeOffset now, DateTimeOffset staleBefore, string? replacing,
        CancellationToken cancellationToken)
    {
        NodeHeartbeatRows.Validate(node, instance);
        var claimed = await _writer.EnqueueAsync(context => context.Command(Claim)
            .Set("@node", node).Set("@instance", instance.InstanceId).Set("@host", instance.Host).Set("@pid", instance.ProcessId)
            .Set("@now", SqliteTime.ToText(now)).Set("@stale_before", SqliteTime.ToText(staleBefore)).Set("@replacing", replacing)
            .ExecuteNonQuery() == 1, cancellationToken).ConfigureAwait(false);
        return claimed ? null : await FindAsync(node, cancellationToken).ConfigureAwait(false) ?? new NodeHolder(instance, now, now);
    }

    public Task<bool> RefreshAsync(string node, string instanceId, DateTimeOffset now, CancellationToken cancellationToken) =>
        _writer.EnqueueAsync(context => context.Command(Refresh).Set("@node", node).Set("@instance", instanceId).Set("@now", SqliteTime.ToText(now))
            .ExecuteNonQuery() == 1, cancellationToken);

    public Task ReleaseAsync(string node, string instanceId, CancellationToken cancellationToken) =>
        _writer.EnqueueAsync(context => context.Command(Release).Set("@node", node).Set("@instance", instanceId).ExecuteNonQuery(), cancellationToken);

    public Task<NodeHolder?> FindAsync(string node, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var lease = _reads.Rent();
        using var row = lease.Connection.Command(Find).Set("@node", node).ExecuteReader();
        return Task.FromResult(row.Read() ? NodeHeartbeatRows.Read(row) : null);
    }
}
