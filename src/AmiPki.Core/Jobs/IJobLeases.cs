namespace AmiPki.Core.Jobs;

/// <summary>
/// Who runs a scheduled job when several nodes share one database: each node's scheduler fires every job, and only the
/// node that takes the job's lease runs it, so a job runs once per cluster, not once per node (issue 10).
/// </summary>
public interface IJobLeases
{
    /// <summary>
    /// Takes the lease of job <paramref name="name"/> for <paramref name="owner"/> until <paramref name="leaseUntil"/>, if the
    /// job is due at <paramref name="now"/> by the shared schedule (its recorded next due time, or no record yet) and no
    /// other owner holds an unexpired lease. Durable and atomic across nodes. False: another node ran it or runs it now.
    /// </summary>
    Task<bool> TryAcquireAsync(string name, string owner, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken);

    /// <summary>Gives the lease back (after the run's record is saved); nothing if <paramref name="owner"/> does not hold it.</summary>
    Task ReleaseAsync(string name, string owner, CancellationToken cancellationToken);
}
