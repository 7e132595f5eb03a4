using System.Threading.Channels;
using Npgsql;

namespace AmiPki.Storage.Postgres.Writing;

/// <summary>
/// This node's one writer: group commit, as <see cref="Sqlite.Writing.SqliteWriter"/> does for SQLite. Callers queue
/// operations; one loop takes everything queued (up to <see cref="MaxBatch"/>), runs it in one transaction on its own
/// connection, commits once (one WAL flush for the whole batch) and only then completes each caller, so throughput grows
/// with concurrency instead of being capped by the commit latency.
/// <para>
/// A batch first runs without savepoints (each costs PostgreSQL a round trip and a subtransaction). If an operation fails,
/// the transaction is rolled back and the batch runs again with each operation under its own savepoint, so only the
/// failing one fails. Consecutive single-statement operations (a reservation, a completion) are sent in one round trip. A batch that loses a deadlock or serialization check, or whose connection broke before the commit
/// was sent, is rolled back by the server and simply run again.
/// </para>
/// </summary>
internal sealed class PostgresWriter : IAsyncDisposable
{
    /// <summary>Bounds a transaction's size, and so how long the first caller of a very busy batch waits.</summary>
    public const int MaxBatch = 1_000;

    /// <summary>Runs of a batch after a deadlock or a lost connection before its callers are told it failed.</summary>
    private const int MaxAttempts = 5;

    private readonly Channel<PostgresWriteOperation> _queue = Channel.CreateUnbounded<PostgresWriteOperation>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false, AllowSynchronousContinuations = false });
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresWriteContext _context;
    private readonly Task _loop;
    private NpgsqlConnection? _connection;
    private long _commits;

    public PostgresWriter(NpgsqlDataSource dataSource, string node, TimeProvider time)
    {
        _dataSource = dataSource;
        _context = new PostgresWriteContext(node, time);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Transactions committed so far (how well writes are being grouped: operations ÷ commits).</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Queues a write; the task completes once the transaction that ran it has committed.</summary>
    public Task<T> EnqueueAsync<T>(Func<PostgresWriteContext, Task<T>> body, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }
        var operation = new PostgresWriteOperation<T>(body, cancellationToken);
        Enqueue(operation);
        return operation.Task;
    }

    /// <summary>
    /// Queues a one-statement write, sent to the server together with its neighbours in the batch; <paramref name="onResult"/>
    /// gets the rows it affected. The task completes once the transaction that ran it has committed.
    /// </summary>
    public Task<T> EnqueueStatementAsync<T>(Func<NpgsqlBatchCommand> statement, Func<PostgresWriteContext, int, Task<T>> onResult,
        CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }
        var operation = new PostgresStatementOperation<T>(statement, onResult, cancellationToken);
        Enqueue(operation);
        return operation.Task;
    }

    private void Enqueue(PostgresWriteOperation operation)
    {
        if (!_queue.Writer.TryWrite(operation))
        {
            throw new ObjectDisposedException(nameof(PostgresStorage), "the storage is closed");
        }
    }

    /// <summary>Stops taking writes, finishes every write already queued, and closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var batch = new List<PostgresWriteOperation>(MaxBatch);
        var failures = new Exception?[MaxBatch];
        try
        {
            var reader = _queue.Reader;
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && reader.TryRead(out var operation))
                {
                    if (operation.TryClaim())
                    {
                        batch.Add(operation);
                    }
                }
                if (batch.Count == 0)
                {
                    continue;
                }
                try
                {
                    await RunBatchAsync(batch, failures).ConfigureAwait(false);
                }
                catch (Exception exception)
                {
                    // A fault of the writer itself: its callers must still be answered, and the loop must go on serving the
                    // next batch (on a new connection), or every later write would wait forever.
                    await DropConnectionAsync().ConfigureAwait(false);
                    foreach (var operation in batch)
                    {
                        operation.Fail(exception);
                    }
                }
            }
        }
        finally
        {
            await DropConnectionAsync().ConfigureAwait(false);
        }
    }

    private async Task RunBatchAsync(List<PostgresWriteOperation> batch, Exception?[] failures)
    {
        // Alone in the transaction, an operation's failure is the transaction's: no savepoint is ever needed.
        var savepoints = false;
        for (var attempt = 1; ; attempt++)
        {
            Array.Clear(failures, 0, batch.Count);
            var outcome = await TryRunAsync(batch, failures, savepoints).ConfigureAwait(false);
            switch (outcome.Kind)
            {
                case OutcomeKind.Committed:
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
                    return;
                case OutcomeKind.OperationFailed when batch.Count > 1 && !savepoints:
                    savepoints = true;
                    continue;
                case OutcomeKind.RolledBack when attempt < MaxAttempts:
                    // Let the other writer finish (deadlock) or the server come back (lost connection).
                    await Task.Delay(TimeSpan.FromMilliseconds(20 * attempt * attempt)).ConfigureAwait(false);
                    continue;
                default:
                    foreach (var operation in batch)
                    {
                        operation.Fail(outcome.Error!);
                    }
                    return;
            }
        }
    }

    private async Task<Outcome> TryRunAsync(List<PostgresWriteOperation> batch, Exception?[] failures, bool savepoints)
    {
        NpgsqlTransaction? transaction = null;
        var commitSent = false;
        var operationFailed = false;
        try
        {
            var connection = await ConnectionAsync().ConfigureAwait(false);
            transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
            _context.Begin(connection, transaction);
            if (savepoints)
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    failures[i] = await RunInSavepointAsync(transaction, batch[i]).ConfigureAwait(false);
                }
            }
            else
            {
                try
                {
                    await RunPipelinedAsync(connection, transaction, batch).ConfigureAwait(false);
                }
                catch (Exception exception) when (!PostgresErrors.IsRetryable(exception) && !PostgresErrors.IsConnectionFailure(exception))
                {
                    operationFailed = true;
                    throw;
                }
            }
            await _context.AuditChain.FlushAsync(_context).ConfigureAwait(false);
            commitSent = true;
            await transaction.CommitAsync().ConfigureAwait(false);
            return new Outcome(OutcomeKind.Committed, null);
        }
        catch (Exception exception)
        {
            await TryRollbackAsync(transaction).ConfigureAwait(false);
            if (PostgresErrors.IsConnectionFailure(exception))
            {
                await DropConnectionAsync().ConfigureAwait(false);
            }
            if (commitSent && PostgresErrors.IsConnectionFailure(exception))
            {
                // The server may or may not have committed: running the batch again could do its work twice, and
                // reporting success could acknowledge what was lost. The callers learn the truth: unknown.
                return new Outcome(OutcomeKind.Failed, new InvalidOperationException(
                    "the connection to PostgreSQL failed while committing: these writes may or may not be durable", exception));
            }
            if (PostgresErrors.IsRetryable(exception) || PostgresErrors.IsConnectionFailure(exception))
            {
                return new Outcome(OutcomeKind.RolledBack, exception);
            }
            return new Outcome(operationFailed ? OutcomeKind.OperationFailed : OutcomeKind.Failed, exception);
        }
        finally
        {
            _context.AuditChain.Reset();
            _context.End();
            await DisposeQuietlyAsync(transaction).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs the batch in order, sending each run of consecutive single-statement operations to the server in one round
    /// trip. Any failure fails the whole attempt (the transaction is aborted); the caller then retries under savepoints.
    /// </summary>
    private async Task RunPipelinedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<PostgresWriteOperation> batch)
    {
        var statements = new List<NpgsqlBatchCommand>();
        var start = 0;
        while (start < batch.Count)
        {
            statements.Clear();
            var end = start;
            while (end < batch.Count && batch[end].CreateStatement() is { } statement)
            {
                statements.Add(statement);
                end++;
            }
            if (statements.Count == 0)
            {
                await batch[start].ExecuteAsync(_context).ConfigureAwait(false);
                start++;
                continue;
            }
            await using (var pipelined = new NpgsqlBatch(connection, transaction))
            {
                foreach (var statement in statements)
                {
                    pipelined.BatchCommands.Add(statement);
                }
                await pipelined.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            for (var i = start; i < end; i++)
            {
                await batch[i].CompleteStatementAsync(_context, statements[i - start]).ConfigureAwait(false);
            }
            start = end;
        }
    }

    /// <returns>The operation's exception if it failed (and was rolled back alone), otherwise null.</returns>
    private async Task<Exception?> RunInSavepointAsync(NpgsqlTransaction transaction, PostgresWriteOperation operation)
    {
        var mark = _context.AuditChain.Mark();
        await transaction.SaveAsync("op").ConfigureAwait(false);
        try
        {
            await operation.ExecuteAsync(_context).ConfigureAwait(false);
        }
        catch (Exception exception) when (!PostgresErrors.IsRetryable(exception) && !PostgresErrors.IsConnectionFailure(exception))
        {
            // Should undoing the operation fail in turn, that error fails the whole batch: the transaction's state is unknown.
            await transaction.RollbackAsync("op").ConfigureAwait(false);
            await transaction.ReleaseAsync("op").ConfigureAwait(false);
            _context.AuditChain.Restore(mark);
            return exception;
        }
        await transaction.ReleaseAsync("op").ConfigureAwait(false);
        return null;
    }

    private async Task<NpgsqlConnection> ConnectionAsync()
    {
        if (_connection is { State: System.Data.ConnectionState.Open })
        {
            return _connection;
        }
        await DropConnectionAsync().ConfigureAwait(false);
        _connection = await _dataSource.OpenConnectionAsync().ConfigureAwait(false);
        return _connection;
    }

    private async Task DropConnectionAsync()
    {
        var connection = _connection;
        _connection = null;
        if (connection is null)
        {
            return;
        }
        try
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is NpgsqlException or IOException or InvalidOperationException)
        {
            // A broken connection may fail to close cleanly; it is gone either way.
        }
    }

    private static async Task DisposeQuietlyAsync(NpgsqlTransaction? transaction)
    {
        if (transaction is null)
        {
            return;
        }
        try
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is NpgsqlException or IOException or InvalidOperationException)
        {
            // Disposing rolls back an unfinished transaction; on a broken connection the server has already done so.
        }
    }

    private static async Task TryRollbackAsync(NpgsqlTransaction? transaction)
    {
        if (transaction is null)
        {
            return;
        }
        try
        {
            await transaction.RollbackAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is NpgsqlException or IOException or InvalidOperationException)
        {
            // Already completed, or its connection broke (ObjectDisposedException): the server rolls back a transaction
            // whose connection dies, so there is nothing left to undo.
        }
    }

    private enum OutcomeKind
    {
        Committed,
        OperationFailed,
        RolledBack,
        Failed,
    }

    private readonly record struct Outcome(OutcomeKind Kind, Exception? Error);
}
