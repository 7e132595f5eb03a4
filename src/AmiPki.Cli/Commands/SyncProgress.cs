namespace AmiPki.Cli.Commands;

/// <summary>Forwards progress reports synchronously: <see cref="Progress{T}"/> would post them to the thread pool and reorder them.</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
