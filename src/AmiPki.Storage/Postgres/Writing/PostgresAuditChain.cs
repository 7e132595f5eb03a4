using AmiPki.Core.Audit;
using AmiPki.Storage.Sqlite;

namespace AmiPki.Storage.Postgres.Writing;

/// <summary>
/// Extends this node's audit chain inside the writer's transaction. At the first append of a transaction the node's head
/// row is read and locked (SELECT ... FOR UPDATE), so another process writing under the same node name (the CLI beside
/// the server) waits for this transaction and then continues the chain from its end; other nodes have heads of their own
/// and never wait. Entries are numbered and hashed as they are appended but sent to the server together, in one
/// statement just before the commit, with the new head: one round trip for the whole batch instead of one per entry.
/// </summary>
internal sealed class PostgresAuditChain
{
    /// <summary>Rows per INSERT when flushing (a 100,000-certificate revocation is flushed in parts).</summary>
    private const int FlushChunk = 5_000;

    private const string LockHead = "SELECT seq, hash FROM audit_heads WHERE node = $1 FOR UPDATE;";
    private const string CreateHead = "INSERT INTO audit_heads (node, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (node) DO NOTHING;";
    private const string InsertEntries = """
        INSERT INTO audit_log (node, seq, at, kind, actor, outcome, detail, prev_hash, hash)
        SELECT $1, e.seq, e.at, e.kind, e.actor, e.outcome, e.detail, e.prev_hash, e.hash
        FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bytea[], $9::bytea[])
             AS e (seq, at, kind, actor, outcome, detail, prev_hash, hash);
        """;
    private const string UpdateHead = "UPDATE audit_heads SET seq = $2, hash = $3 WHERE node = $1;";

    private readonly string _node;
    private readonly List<Pending> _pending = [];
    private bool _loaded;
    private long _sequence;
    private byte[] _hash = AuditChain.Genesis;

    public PostgresAuditChain(string node) => _node = node;

    /// <summary>Where the chain stood, so a failed operation's entries can be taken back with its savepoint.</summary>
    public (bool Loaded, long Sequence, byte[] Hash, int Pending) Mark() => (_loaded, _sequence, _hash, _pending.Count);

    public void Restore((bool Loaded, long Sequence, byte[] Hash, int Pending) mark)
    {
        (_loaded, _sequence, _hash) = (mark.Loaded, mark.Sequence, mark.Hash);
        _pending.RemoveRange(mark.Pending, _pending.Count - mark.Pending);
    }

    /// <summary>Forgets the head at the end of a transaction: the next one re-reads it under its own lock.</summary>
    public void Reset()
    {
        _loaded = false;
        _sequence = 0;
        _hash = AuditChain.Genesis;
        _pending.Clear();
    }

    public async Task<long> AppendAsync(PostgresWriteContext context, AuditEvent auditEvent)
    {
        if (!_loaded)
        {
            await LoadAsync(context).ConfigureAwait(false);
        }
        var sequence = _sequence + 1;
        var hash = AuditChain.ComputeHash(_hash, sequence, _node, auditEvent);
        _pending.Add(new Pending(sequence, auditEvent, _hash, hash));
        _sequence = sequence;
        _hash = hash;
        return sequence;
    }

    /// <summary>Writes the entries appended in this transaction and the new head, in the same transaction.</summary>
    public async Task FlushAsync(PostgresWriteContext context)
    {
        if (_pending.Count == 0)
        {
            return;
        }
        for (var start = 0; start < _pending.Count; start += FlushChunk)
        {
            var part = _pending.GetRange(start, Math.Min(FlushChunk, _pending.Count - start));
            await using var insert = context.Command(InsertEntries)
                .Text(_node)
                .Int64Array(part.Select(p => p.Sequence).ToArray())
                .TextArray(part.Select(p => SqliteTime.ToText(p.Event.At)).ToArray())
                .TextArray(part.Select(p => p.Event.Kind).ToArray())
                .TextArray(part.Select(p => p.Event.Actor).ToArray())
                .TextArray(part.Select(p => p.Event.Outcome).ToArray())
                .TextArray(part.Select(p => p.Event.Detail).ToArray())
                .BytesArray(part.Select(p => p.PreviousHash).ToArray())
                .BytesArray(part.Select(p => p.Hash).ToArray());
            await insert.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
        await using var head = context.Command(UpdateHead).Text(_node).Int64(_sequence).Bytes(_hash);
        await head.ExecuteNonQueryAsync().ConfigureAwait(false);
        _pending.Clear();
    }

    private async Task LoadAsync(PostgresWriteContext context)
    {
        if (!await TryLockHeadAsync(context).ConfigureAwait(false))
        {
            // A node's first entry: create its head, then lock it (a concurrent creator under the same name makes the
            // INSERT wait for its commit and then do nothing).
            await using (var create = context.Command(CreateHead).Text(_node).Bytes(AuditChain.Genesis))
            {
                await create.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            if (!await TryLockHeadAsync(context).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"the audit head of node {_node} cannot be created");
            }
        }
        _loaded = true;
    }

    private async Task<bool> TryLockHeadAsync(PostgresWriteContext context)
    {
        await using var command = context.Command(LockHead).Text(_node);
        await using var row = await command.ExecuteReaderAsync().ConfigureAwait(false);
        if (!await row.ReadAsync().ConfigureAwait(false))
        {
            return false;
        }
        _sequence = row.GetInt64(0);
        _hash = (byte[])row.GetValue(1);
        return true;
    }

    private sealed record Pending(long Sequence, AuditEvent Event, byte[] PreviousHash, byte[] Hash);
}
