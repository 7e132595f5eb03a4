using Npgsql;

namespace AmiPki.Storage.Postgres.Writing;

/// <summary>
/// One caller's write, queued for the writer. The writer runs it inside the shared transaction and completes the caller
/// only after the commit, so "completed" always means "durable". It may run more than once (a batch retried after a
/// deadlock, or again under savepoints after another operation failed): only the run that commits counts.
/// </summary>
internal abstract class PostgresWriteOperation
{
    private const int Queued = 0;
    private const int Claimed = 1;
    private const int Cancelled = 2;

    private int _state;

    /// <summary>Runs the operation's statements; throwing means this operation failed.</summary>
    public abstract Task ExecuteAsync(PostgresWriteContext context);

    /// <summary>
    /// The operation's one statement, if it is one statement (<see cref="PostgresStatementOperation{T}"/>), for the writer
    /// to send together with its neighbours'; null if it must run alone through <see cref="ExecuteAsync"/>.
    /// </summary>
    public virtual NpgsqlBatchCommand? CreateStatement() => null;

    /// <summary>After the statement from <see cref="CreateStatement"/> ran: the operation's step on its result.</summary>
    public virtual Task CompleteStatementAsync(PostgresWriteContext context, NpgsqlBatchCommand statement) =>
        throw new InvalidOperationException("not a single-statement operation");

    /// <summary>Called after the commit that made the last <see cref="ExecuteAsync"/> durable.</summary>
    public abstract void Succeed();

    public abstract void Fail(Exception exception);

    /// <summary>The writer takes the operation; from then on the caller's cancellation no longer applies.</summary>
    public bool TryClaim() => Interlocked.CompareExchange(ref _state, Claimed, Queued) == Queued;

    /// <summary>The caller gave up before the writer took the operation: it will not run.</summary>
    protected bool TryCancel() => Interlocked.CompareExchange(ref _state, Cancelled, Queued) == Queued;
}

/// <summary>A write given as a delegate, whose result reaches the caller once the transaction has committed.</summary>
internal sealed class PostgresWriteOperation<T> : PostgresWriteOperation
{
    private readonly Func<PostgresWriteContext, Task<T>> _body;
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenRegistration _registration;
    private T? _result;

    public PostgresWriteOperation(Func<PostgresWriteContext, Task<T>> body, CancellationToken cancellationToken)
    {
        _body = body;
        if (cancellationToken.CanBeCanceled)
        {
            _registration = cancellationToken.UnsafeRegister(static (state, token) =>
            {
                var operation = (PostgresWriteOperation<T>)state!;
                if (operation.TryCancel())
                {
                    operation._completion.TrySetCanceled(token);
                }
            }, this);
        }
    }

    public Task<T> Task => _completion.Task;

    public override async Task ExecuteAsync(PostgresWriteContext context) => _result = await _body(context).ConfigureAwait(false);

    public override void Succeed()
    {
        _registration.Dispose();
        _completion.TrySetResult(_result!);
    }

    public override void Fail(Exception exception)
    {
        _registration.Dispose();
        _completion.TrySetException(exception);
    }
}

/// <summary>
/// A write that is one SQL statement and a step on its result (rows affected): the writer sends the statements of
/// consecutive such operations to the server together (one <see cref="NpgsqlBatch"/>, one round trip) instead of
/// awaiting each, which is what keeps a node's issuance rate from being the round-trip rate.
/// </summary>
internal sealed class PostgresStatementOperation<T> : PostgresWriteOperation
{
    private readonly Func<NpgsqlBatchCommand> _statement;
    private readonly Func<PostgresWriteContext, int, Task<T>> _onResult;
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenRegistration _registration;
    private T? _result;

    /// <param name="statement">Makes the statement (a new one per run: a batch is retried after a deadlock).</param>
    /// <param name="onResult">Given the rows the statement affected: the caller's result, or an exception failing the operation.</param>
    public PostgresStatementOperation(Func<NpgsqlBatchCommand> statement, Func<PostgresWriteContext, int, Task<T>> onResult,
        CancellationToken cancellationToken)
    {
        _statement = statement;
        _onResult = onResult;
        if (cancellationToken.CanBeCanceled)
        {
            _registration = cancellationToken.UnsafeRegister(static (state, token) =>
            {
                var operation = (PostgresStatementOperation<T>)state!;
                if (operation.TryCancel())
                {
                    operation._completion.TrySetCanceled(token);
                }
            }, this);
        }
    }

    public Task<T> Task => _completion.Task;

    public override NpgsqlBatchCommand? CreateStatement() => _statement();

    public override async Task CompleteStatementAsync(PostgresWriteContext context, NpgsqlBatchCommand statement) =>
        _result = await _onResult(context, statement.RecordsAffected).ConfigureAwait(false);

    public override async Task ExecuteAsync(PostgresWriteContext context)
    {
        var statement = _statement();
        await using var batch = new NpgsqlBatch(context.Connection, context.Transaction) { BatchCommands = { statement } };
        await batch.ExecuteNonQueryAsync().ConfigureAwait(false);
        await CompleteStatementAsync(context, statement).ConfigureAwait(false);
    }

    public override void Succeed()
    {
        _registration.Dispose();
        _completion.TrySetResult(_result!);
    }

    public override void Fail(Exception exception)
    {
        _registration.Dispose();
        _completion.TrySetException(exception);
    }
}
