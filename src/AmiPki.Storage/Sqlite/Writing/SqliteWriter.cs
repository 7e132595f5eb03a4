using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace AmiPki.Storage.Sqlite.Writing;

/// <summary>
/// The one writer of a database: group commit. Callers queue operations; a dedicated thread takes everything queued
/// (up to <see cref="MaxBatch"/>), runs it in one transaction — each operation under its own savepoint, so one failing
/// operation (a duplicate serial, a bad argument) is rolled back alone — commits once (one fsync for the whole
/// batch) and only then completes each caller. Throughput therefore grows with concurrency instead of being capped
/// by the disk's fsync rate.
/// </summary>
internal sealed class SqliteWriter : IAsyncDisposable
{
    /// <summary>Bounds a transaction's size, and so how long the first caller of a very busy batch waits.</summary>
    public const int MaxBatch = 1_000;

    private readonly Channel<WriteOperation> _queue = Channel.CreateUnbounded<WriteOperation>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false, AllowSynchronousContinuations = false });
    private readonly SqliteConnection _connection;
    private readonly SqliteWriteContext _context;
    private readonly NativeStatement _begin;
    private readonly NativeStatement _commit;
    private readonly NativeStatement _rollback;
    private readonly NativeStatement _savepoint;
    private readonly NativeStatement _release;
    private readonly NativeStatement _rollbackToSavepoint;
    private readonly Thread _thread;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ManualResetEventSlim _queued = new(false, spinCount: 0);
    private readonly Action _setQueued;
    private long _commits;
    private int _finishCheckpoint;

    /// <param name="connection">An open writer connection, migrated; the writer owns and closes it.</param>
    public SqliteWriter(SqliteConnection connection, string node, TimeProvider time)
    {
        _connection = connection;
        _context = new SqliteWriteContext(connection, node, time);
        _setQueued = _queued.Set;
        // IMMEDIATE takes the write lock at once, so another process's writer makes us wait (busy_timeout) before
        // any operation runs, not in the middle of the batch.
        _begin = new NativeStatement(connection, "BEGIN IMMEDIATE;");
        _commit = new NativeStatement(connection, "COMMIT;");
        _rollback = new NativeStatement(connection, "ROLLBACK;");
        _savepoint = new NativeStatement(connection, "SAVEPOINT op;");
        _release = new NativeStatement(connection, "RELEASE op;");
        _rollbackToSavepoint = new NativeStatement(connection, "ROLLBACK TO op;");
        // A thread of its own, not the thread pool: SQLite calls block (the fsync above all), and a blocked pool
        // thread on a 2-core machine would slow the very callers the writer serves.
        _thread = new Thread(Run) { IsBackground = true, Name = "amipki-sqlite-writer" };
        _thread.Start();
    }

    /// <summary>Transactions committed so far (how well writes are being grouped: operations ÷ commits).</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>
    /// Asks the writer to checkpoint the frames the background checkpointer did not reach, between two batches: no
    /// write runs then, so the WAL is wholly copied back and the next transaction rewinds it (see <see cref="SqliteCheckpointer"/>).
    /// </summary>
    /// <remarks>
    /// An idle writer is left asleep: with no new frames the background round copied everything, and the next
    /// transaction rewinds the WAL by itself.
    /// </remarks>
    public void FinishCheckpointSoon() => Volatile.Write(ref _finishCheckpoint, 1);

    /// <summary>Queues a write; the task completes once the transaction that ran it has committed.</summary>
    public Task<T> EnqueueAsync<T>(Func<SqliteWriteContext, T> body, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }
        var operation = new DelegateWriteOperation<T>(body, cancellationToken);
        if (!_queue.Writer.TryWrite(operation))
        {
            throw new ObjectDisposedException(nameof(SqliteStorage), "the storage is closed");
        }
        return operation.Task;
    }

    /// <summary>Stops taking writes, finishes every write already queued, and closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stopped.Task.ConfigureAwait(false);
    }

    private void Run()
    {
        var batch = new List<WriteOperation>(MaxBatch);
        var failures = new Exception?[MaxBatch];
        try
        {
            var reader = _queue.Reader;
            while (WaitToRead(reader))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && reader.TryRead(out var operation))
                {
                    if (operation.TryClaim())
                    {
                        batch.Add(operation);
                    }
                }
                if (batch.Count > 0)
                {
                    RunBatch(batch, failures);
                }
                if (Interlocked.Exchange(ref _finishCheckpoint, 0) == 1)
                {
                    FinishCheckpoint();
                }
            }
        }
        finally
        {
            foreach (var statement in new[] { _begin, _commit, _rollback, _savepoint, _release, _rollbackToSavepoint })
            {
                statement.Dispose();
            }
            _context.Dispose();
            _connection.Dispose();
            _queued.Dispose();
            _stopped.TrySetResult();
        }
    }

    /// <summary>
    /// Blocks until an operation is queued (false once the queue is completed). Not Task.Wait: it spins before it
    /// blocks, and on a 2-core machine that spin, once per batch, is taken from the threads serving the requests.
    /// </summary>
    private bool WaitToRead(ChannelReader<WriteOperation> reader)
    {
        var waiting = reader.WaitToReadAsync();
        if (!waiting.IsCompleted)
        {
            _queued.Reset();
            waiting.GetAwaiter().UnsafeOnCompleted(_setQueued);
            _queued.Wait();
        }
        return waiting.GetAwaiter().GetResult();
    }

    /// <summary>
    /// A PASSIVE checkpoint on the writer's own connection: it never waits for readers, and copies only what the
    /// background round left (a few milliseconds of commits). Busy (another process checkpointing) or a reader still
    /// on an old snapshot only means the WAL is rewound a round later; nothing committed depends on it.
    /// </summary>
    private void FinishCheckpoint()
    {
        // The result code is not checked on purpose (see above); the frame counts are not needed.
        raw.sqlite3_wal_checkpoint_v2(_connection.Handle, "main", raw.SQLITE_CHECKPOINT_PASSIVE, out _, out _);
    }

    private void RunBatch(List<WriteOperation> batch, Exception?[] failures)
    {
        Array.Clear(failures, 0, batch.Count);
        try
        {
            _begin.Execute();
        }
        catch (Exception exception)
        {
            FailAll(batch, exception);
            return;
        }
        try
        {
            if (batch.Count == 1)
            {
                // Alone in the transaction: a failure rolls the whole transaction back, no savepoint needed.
                batch[0].Execute(_context);
            }
            else
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    failures[i] = RunInSavepoint(batch[i]);
                }
            }
            _context.AuditChain.Flush(_context);
            _commit.Execute();
        }
        catch (Exception exception)
        {
            // The single operation failed, or the transaction itself did (disk full, I/O error, a failed rollback to
            // a savepoint): nothing of the batch is durable, so nobody may be told otherwise.
            TryRollback();
            _context.AuditChain.Reset();
            FailAll(batch, exception);
            return;
        }
        _context.AuditChain.Reset();
        Interlocked.Increment(ref _commits);
        for (var i = 0; i < batch.Count; i++)
        {
            if (failures[i] is { } failure)
            {
                batch[i].Fail(failure);
            }
            else
            {
                batch[i].Succeed();
            }
        }
    }

    /// <returns>The operation's exception if it failed (and was rolled back alone), otherwise null.</returns>
    private Exception? RunInSavepoint(WriteOperation operation)
    {
        var mark = _context.AuditChain.Mark();
        _savepoint.Execute();
        try
        {
            operation.Execute(_context);
        }
        catch (Exception exception)
        {
            // Should undoing the operation fail in turn, that error reaches RunBatch, which fails the whole batch:
            // the transaction's state is then unknown.
            _rollbackToSavepoint.Execute();
            _release.Execute();
            _context.AuditChain.Restore(mark);
            return exception;
        }
        _release.Execute();
        return null;
    }

    private void TryRollback()
    {
        try
        {
            _rollback.Execute();
        }
        catch (SqliteException)
        {
            // Some errors (e.g. SQLITE_FULL, SQLITE_IOERR) already rolled the transaction back: nothing left to undo.
        }
    }

    private static void FailAll(List<WriteOperation> batch, Exception exception)
    {
        foreach (var operation in batch)
        {
            operation.Fail(exception);
        }
    }
}
