namespace AmiPki.Core.Jobs;

/// <summary>
/// The leases of a database only one node uses (the embedded SQLite file): there is nobody to share a job with, so every
/// lease is granted and the scheduler behaves as before leases existed.
/// </summary>
public sealed class SingleNodeJobLeases : IJobLeases
{
    public static SingleNodeJobLeases Instance { get; } = new();

    private SingleNodeJobLeases()
    {
    }

    public Task<bool> TryAcquireAsync(string name, string owner, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken) =>
        Task.FromResult(true);

    public Task ReleaseAsync(string name, string owner, CancellationToken cancellationToken) => Task.CompletedTask;
}
