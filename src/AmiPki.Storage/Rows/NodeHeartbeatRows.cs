using System.Data.Common;

namespace AmiPki.Storage.Rows;

/// <summary>Rows of <c>node_heartbeats</c> (migration 0007), the same in both dialects.</summary>
internal static class NodeHeartbeatRows
{
    public const string Columns = "instance_id, host, pid, started_at, last_seen";

    public static NodeHolder Read(DbDataReader row) =>
        new(new NodeInstance(row.GetString(0), row.GetString(1), row.GetInt32(2)), row.Time(3), row.Time(4));

    public static void Validate(string node, NodeInstance instance)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(node);
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentException.ThrowIfNullOrWhiteSpace(instance.InstanceId);
        ArgumentNullException.ThrowIfNull(instance.Host);
    }
}
