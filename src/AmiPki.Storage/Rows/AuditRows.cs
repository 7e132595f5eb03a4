using System.Data.Common;
using AmiPki.Core.Audit;

namespace AmiPki.Storage.Rows;

/// <summary>
/// The audit log's entries and heads as both dialects store them: the entries' query and the mappings to
/// <see cref="AuditEntry"/> and <see cref="AuditHead"/>. Each dialect keeps its own heads query (PostgreSQL skips a
/// node whose first entries were never committed).
/// </summary>
internal static class AuditRows
{
    public const string SelectEntries = """
        SELECT node, seq, at, kind, actor, outcome, detail, prev_hash, hash FROM audit_log ORDER BY node, seq;
        """;

    /// <summary>Maps one row of the columns <see cref="SelectEntries"/> lists, in column order (PostgreSQL reads them sequentially).</summary>
    public static AuditEntry ReadEntry(DbDataReader row)
    {
        var node = row.GetString(0);
        var sequence = row.GetInt64(1);
        var auditEvent = new AuditEvent(row.Time(2), row.GetString(3), row.GetString(4), row.GetString(5), row.GetString(6));
        return new AuditEntry(sequence, node, auditEvent, row.Bytes(7), row.Bytes(8));
    }

    /// <summary>Maps one row of node, seq, hash.</summary>
    public static AuditHead ReadHead(DbDataReader row) => new(row.GetString(0), row.GetInt64(1), row.Bytes(2));
}
