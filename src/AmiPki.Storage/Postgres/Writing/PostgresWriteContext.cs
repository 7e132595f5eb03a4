using AmiPki.Core.Audit;
using Npgsql;

namespace AmiPki.Storage.Postgres.Writing;

/// <summary>
/// What a write operation sees inside the writer's transaction: its connection and transaction, this node's audit chain,
/// and the clock. Used by the writer's loop only, one operation at a time.
/// </summary>
internal sealed class PostgresWriteContext
{
    private NpgsqlConnection? _connection;
    private NpgsqlTransaction? _transaction;

    public PostgresWriteContext(string node, TimeProvider time)
    {
        Node = node;
        Time = time;
        AuditChain = new PostgresAuditChain(node);
    }

    public string Node { get; }

    public TimeProvider Time { get; }

    public PostgresAuditChain AuditChain { get; }

    public NpgsqlConnection Connection => _connection ?? throw new InvalidOperationException("no transaction is open");

    public NpgsqlTransaction Transaction => _transaction ?? throw new InvalidOperationException("no transaction is open");

    public void Begin(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        _connection = connection;
        _transaction = transaction;
    }

    public void End()
    {
        _connection = null;
        _transaction = null;
    }

    /// <summary>A command in the current transaction; Npgsql prepares statements run repeatedly (Max Auto Prepare).</summary>
    public NpgsqlCommand Command(string sql) => new(sql, Connection, Transaction);

    /// <summary>Appends an audit entry in the current transaction; returns its sequence number.</summary>
    public Task<long> AuditAsync(AuditEvent auditEvent) => AuditChain.AppendAsync(this, auditEvent);
}
