using AmiPki.Core.Audit;
using Microsoft.Data.Sqlite;

namespace AmiPki.Storage.Sqlite.Writing;

/// <summary>
/// What a write operation sees inside the writer's transaction: cached prepared statements on the writer's connection,
/// this node's audit chain, and the clock. Used only on the writer thread.
/// </summary>
internal sealed class SqliteWriteContext : IDisposable
{
    private readonly Dictionary<string, PreparedCommand> _commands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NativeStatement> _statements = new(StringComparer.Ordinal);
    private readonly AuditChainAppender _audit;

    public SqliteWriteContext(SqliteConnection connection, string node, TimeProvider time)
    {
        Connection = connection;
        Node = node;
        Time = time;
        _audit = new AuditChainAppender(node);
    }

    public SqliteConnection Connection { get; }

    public string Node { get; }

    public TimeProvider Time { get; }

    public AuditChainAppender AuditChain => _audit;

    /// <summary>The prepared statement for <paramref name="sql"/>, prepared on first use and kept for the connection's life.</summary>
    public PreparedCommand Command(string sql)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = new PreparedCommand(Connection, sql);
            _commands.Add(sql, command);
        }
        return command;
    }

    /// <summary>
    /// The native statement for <paramref name="sql"/> (positional parameters), prepared on first use: for the statements
    /// run once per certificate, where Microsoft.Data.Sqlite's per-call cost would dominate.
    /// </summary>
    public NativeStatement Statement(string sql)
    {
        if (!_statements.TryGetValue(sql, out var statement))
        {
            statement = new NativeStatement(Connection, sql);
            _statements.Add(sql, statement);
        }
        return statement;
    }

    /// <summary>Appends an audit entry in the current transaction; returns its sequence number.</summary>
    public long Audit(AuditEvent auditEvent) => _audit.Append(this, auditEvent);

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }
        _commands.Clear();
        foreach (var statement in _statements.Values)
        {
            statement.Dispose();
        }
        _statements.Clear();
    }
}
