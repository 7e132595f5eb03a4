namespace AmiPki.Core.Jobs;

/// <summary>Where the scheduler keeps each job's last run and next due time (durably).</summary>
public interface IJobScheduleStore
{
    Task<IReadOnlyList<JobScheduleRecord>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Inserts or replaces a job's record.</summary>
    Task SaveAsync(JobScheduleRecord record, CancellationToken cancellationToken);
}
