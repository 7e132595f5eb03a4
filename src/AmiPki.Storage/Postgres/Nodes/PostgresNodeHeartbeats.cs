using AmiPki.Storage.Rows;
using AmiPki.Storage.Sqlite;
using Npgsql;

namespace AmiPki.Storage.Postgres.Nodes;

/// <summary>
/// Node names held by live processes (table <c>node_heartbeats</c>, migration 0007) in the shared database: each write is
/// one autocommitted statement on a pooled connection; the conditional upsert makes one of racing processes win a free name.
/// </summary>
internal sealed class PostgresNodeHeartbeats : INodeHeartbeats
{
    private const string Claim = """
        INSERT INTO node_heartbeats AS h (node, instance_id, host, pid, started_at, last_seen)
        VALUES ($1, $2, $3, $4, $5, $5)
        ON CONFLICT (node) DO UPDATE SET instance_id = excluded.instance_id, host = excluded.host, pid = excluded.pid,
            started_at = CASE WHEN h.instance_id = excluded.instance_id THEN h.started_at ELSE excluded.started_at END,
            last_seen = excluded.last_seen
        WHERE h.instance_id = excluded.instance_id OR h.last_seen < $6 OR h.instance_id = $7;
        """;
    private const string Refresh = "UPDATE node_heartbeats SET last_seen = $3 WHERE node = $1 AND instance_id = $2;";
    private const string Release = "DELETE FROM node_heartbeats WHERE node = $1 AND instance_id = $2;";
    private const string Find = "SELECT " + NodeHeartbeatRows.Columns + " FROM node_heartbeats WHERE node = $1;";

    private readonly NpgsqlDataSource _dataSource;

    public PostgresNodeHeartbeats(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    public async Task<NodeHolder?> TryClaimAsync(string node, NodeInstance instance, DateTimeOffset now, DateTimeOffset staleBefore, string? replacing,
        CancellationToken cancellationToken)
    {
        NodeHeartbeatRows.Validate(node, instance);
        await using var command = _dataSource.CreateCommand(Claim).Text(node).Text(instance.InstanceId).Text(instance.Host).Int32(instance.ProcessId)
            .Text(SqliteTime.ToText(now)).Text(SqliteTime.ToText(staleBefore)).Text(replacing);
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
        {
            return null;
        }
        return await FindAsync(node, cancellationToken).ConfigureAwait(false) ?? new NodeHolder(instance, now, now);
    }

    public async Task<bool> RefreshAsync(string node, string instanceId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(Refresh).Text(node).Text(instanceId).Text(SqliteTime.ToText(now));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task ReleaseAsync(string node, string instanceId, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(Release).Text(node).Text(instanceId);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<NodeHolder?> FindAsync(string node, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(Find).Text(node);
        await using var row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await row.FirstOrNullAsync(NodeHeartbeatRows.Read, cancellationToken).ConfigureAwait(false);
    }
}
