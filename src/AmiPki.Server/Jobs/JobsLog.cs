using Microsoft.Extensions.Logging;

namespace AmiPki.Server.Jobs;

/// <summary>Source-generated log messages of the scheduled jobs (fixed event ids 9500–9599).</summary>
internal static partial class JobsLog
{
    [LoggerMessage(9500, LogLevel.Information, "job {Job} done in {Milliseconds} ms: {Detail}")]
    public static partial void Succeeded(ILogger logger, string job, long milliseconds, string detail);

    [LoggerMessage(9501, LogLevel.Error, "job {Job} failed; it runs again at its next time")]
    public static partial void Failed(ILogger logger, string job, Exception exception);

    [LoggerMessage(9502, LogLevel.Information, "job {Job} every {Interval}, next due {NextDue:u}{CatchUp}")]
    public static partial void Scheduled(ILogger logger, string job, TimeSpan interval, DateTimeOffset nextDue, string catchUp);

    [LoggerMessage(9503, LogLevel.Warning, "CA {Ca} expires {NotAfter:u}, in {Days} days: prepare its successor")]
    public static partial void CaExpiring(ILogger logger, string ca, DateTimeOffset notAfter, int days);

    [LoggerMessage(9504, LogLevel.Warning, "renewing operational certificate {Name} failed")]
    public static partial void OperationalRenewalFailed(ILogger logger, string name, Exception exception);

    [LoggerMessage(9505, LogLevel.Information, "renewed operational certificate {Name}; new notAfter {NotAfter:u}")]
    public static partial void OperationalRenewed(ILogger logger, string name, DateTimeOffset? notAfter);

    [LoggerMessage(9506, LogLevel.Debug, "job {Job} not run here: another node sharing the database ran it or runs it now")]
    public static partial void RunElsewhere(ILogger logger, string job);
}
