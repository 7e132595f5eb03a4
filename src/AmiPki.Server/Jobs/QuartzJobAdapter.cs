using Quartz;

namespace AmiPki.Server.Jobs;

/// <summary>What Quartz fires: runs the AmiPki job named by the Quartz job's key through <see cref="JobRunner"/>.</summary>
[DisallowConcurrentExecution]
public sealed class QuartzJobAdapter : IJob
{
    private readonly JobRunner _runner;

    public QuartzJobAdapter(JobRunner runner) => _runner = runner;

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        await _runner.RunScheduledAsync(context.JobDetail.Key.Name, context.ScheduledFireTimeUtc ?? context.FireTimeUtc, cancellationToken);
    }
}
