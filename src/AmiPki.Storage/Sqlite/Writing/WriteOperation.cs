namespace AmiPki.Storage.Sqlite.Writing;

/// <summary>
/// One caller's write, queued for the writer. The writer runs it inside the shared transaction and completes the
/// caller only after the commit, so "completed" always means "durable".
/// </summary>
internal abstract class WriteOperation
{
    private const int Queued = 0;
    private const int Claimed = 1;
    private const int Cancelled = 2;

    private int _state;

    /// <summary>Runs the operation's statements; throwing rolls back this operation only (its savepoint).</summary>
    public abstract void Execute(SqliteWriteContext context);

    /// <summary>Called after the commit that made <see cref="Execute"/>'s work durable.</summary>
    public abstract void Succeed();

    public abstract void Fail(Exception exception);

    /// <summary>
    /// The writer takes the operation; from then on the caller's cancellation no longer applies, so a caller is never
    /// told "cancelled" about a write that was committed.
    /// </summary>
    public bool TryClaim() => Interlocked.CompareExchange(ref _state, Claimed, Queued) == Queued;

    /// <summary>The caller gave up before the writer took the operation: it will not run.</summary>
    protected bool TryCancel() => Interlocked.CompareExchange(ref _state, Cancelled, Queued) == Queued;
}
