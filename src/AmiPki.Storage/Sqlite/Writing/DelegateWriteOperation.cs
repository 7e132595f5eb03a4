namespace AmiPki.Storage.Sqlite.Writing;

/// <summary>A write given as a delegate, whose result reaches the caller once the transaction has committed.</summary>
internal sealed class DelegateWriteOperation<T> : WriteOperation
{
    private readonly Func<SqliteWriteContext, T> _body;
    // Continuations run on the thread pool, not on the writer thread, which must go straight back to the next batch.
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenRegistration _registration;
    private T? _result;

    public DelegateWriteOperation(Func<SqliteWriteContext, T> body, CancellationToken cancellationToken)
    {
        _body = body;
        if (cancellationToken.CanBeCanceled)
        {
            _registration = cancellationToken.UnsafeRegister(static (state, token) =>
            {
                var operation = (DelegateWriteOperation<T>)state!;
                if (operation.TryCancel())
                {
                    operation._completion.TrySetCanceled(token);
                }
            }, this);
        }
    }

    public Task<T> Task => _completion.Task;

    public override void Execute(SqliteWriteContext context) => _result = _body(context);

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
