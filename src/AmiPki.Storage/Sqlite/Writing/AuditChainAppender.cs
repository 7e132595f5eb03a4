using AmiPki.Core.Audit;

namespace AmiPki.Storage.Sqlite.Writing;

/// <summary>
/// Extends this node's audit chain inside the writer's transaction. The head is read from <c>audit_heads</c> at the
/// first append of each transaction (under the write lock, so another process appending to the same file, e.g. the
/// CLI, is seen) and written back once before the commit rather than once per entry.
/// </summary>
internal sealed class AuditChainAppender
{
    private const string SelectHead = "SELECT seq, hash FROM audit_heads WHERE node = @node;";
    private const string InsertEntry = """
        INSERT INTO audit_log (node, seq, at, kind, actor, outcome, detail, prev_hash, hash)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9);
        """;
    private const string UpsertHead = """
        INSERT INTO audit_heads (node, seq, hash) VALUES (@node, @seq, @hash)
        ON CONFLICT (node) DO UPDATE SET seq = excluded.seq, hash = excluded.hash;
        """;

    private readonly string _node;
    private bool _loaded;
    private bool _dirty;
    private long _sequence;
    private byte[] _hash = AuditChain.Genesis;

    public AuditChainAppender(string node) => _node = node;

    /// <summary>Where the chain stood, so a failed operation's entries can be taken back with its savepoint.</summary>
    public (bool Loaded, bool Dirty, long Sequence, byte[] Hash) Mark() => (_loaded, _dirty, _sequence, _hash);

    public void Restore((bool Loaded, bool Dirty, long Sequence, byte[] Hash) mark) =>
        (_loaded, _dirty, _sequence, _hash) = mark;

    /// <summary>Forgets the head at the end of a transaction: the next one re-reads it under its own lock.</summary>
    public void Reset()
    {
        _loaded = false;
        _dirty = false;
        _sequence = 0;
        _hash = AuditChain.Genesis;
    }

    public long Append(SqliteWriteContext context, AuditEvent auditEvent)
    {
        if (!_loaded)
        {
            Load(context);
        }
        var sequence = _sequence + 1;
        var hash = AuditChain.ComputeHash(_hash, sequence, _node, auditEvent);
        context.Statement(InsertEntry)
            .Bind(1, _node)
            .Bind(2, sequence)
            .Bind(3, SqliteTime.ToText(auditEvent.At))
            .Bind(4, auditEvent.Kind)
            .Bind(5, auditEvent.Actor)
            .Bind(6, auditEvent.Outcome)
            .Bind(7, auditEvent.Detail)
            .Bind(8, _hash)
            .Bind(9, hash)
            .Execute();
        _sequence = sequence;
        _hash = hash;
        _dirty = true;
        return sequence;
    }

    /// <summary>Records the new head in the same transaction as the entries.</summary>
    public void Flush(SqliteWriteContext context)
    {
        if (_dirty)
        {
            context.Command(UpsertHead).Set("@node", _node).Set("@seq", _sequence).Set("@hash", _hash).ExecuteNonQuery();
            _dirty = false;
        }
    }

    private void Load(SqliteWriteContext context)
    {
        using var reader = context.Command(SelectHead).Set("@node", _node).ExecuteReader();
        if (reader.Read())
        {
            _sequence = reader.GetInt64(0);
            _hash = (byte[])reader.GetValue(1);
        }
        else
        {
            _sequence = 0;
            _hash = AuditChain.Genesis;
        }
        _loaded = true;
    }
}
