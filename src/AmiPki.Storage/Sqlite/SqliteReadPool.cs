using System.Collections.Concurrent;

namespace AmiPki.Storage.Sqlite;

/// <summary>
/// Read-only connections, apart from the writer's: in WAL mode a reader sees the last commit and never waits for the
/// writer, so OCSP and status lookups are not slowed by issuance. Connections are opened on demand and up to
/// <see cref="MaxIdle"/> are kept for reuse.
/// </summary>
internal sealed class SqliteReadPool : IDisposable
{
    private const int MaxIdle = 16;

    private readonly SqliteConnections _connections;
    private readonly ConcurrentQueue<SqliteReadConnection> _idle = new();
    private int _idleCount;
    private volatile bool _disposed;

    public SqliteReadPool(SqliteConnections connections) => _connections = connections;

    public Lease Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryDequeue(out var connection))
        {
            Interlocked.Decrement(ref _idleCount);
            return new Lease(this, connection);
        }
        return new Lease(this, new SqliteReadConnection(_connections.OpenReader()));
    }

    public void Dispose()
    {
        _disposed = true;
        CloseIdle();
    }

    private void Return(SqliteReadConnection connection)
    {
        if (_disposed)
        {
            connection.Dispose();
            return;
        }
        if (Interlocked.Increment(ref _idleCount) > MaxIdle)
        {
            // More readers were needed for a moment than are worth keeping open.
            Interlocked.Decrement(ref _idleCount);
            connection.Dispose();
            return;
        }
        _idle.Enqueue(connection);
        if (_disposed)
        {
            // The pool closed while this connection was being returned.
            CloseIdle();
        }
    }

    private void CloseIdle()
    {
        while (_idle.TryDequeue(out var connection))
        {
            Interlocked.Decrement(ref _idleCount);
            connection.Dispose();
        }
    }

    /// <summary>A rented connection; disposing returns it to the pool.</summary>
    public readonly struct Lease : IDisposable
    {
        private readonly SqliteReadPool _pool;

        internal Lease(SqliteReadPool pool, SqliteReadConnection connection)
        {
            _pool = pool;
            Connection = connection;
        }

        public SqliteReadConnection Connection { get; }

        public void Dispose() => _pool.Return(Connection);
    }
}
