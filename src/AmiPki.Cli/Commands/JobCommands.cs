using System.CommandLine;
using System.Globalization;

namespace AmiPki.Cli.Commands;

/// <summary><c>amipki jobs list</c>: each scheduled job's last run, outcome and next due time (as the server recorded them).</summary>
public static class JobCommands
{
    public static Command Create()
    {
        var list = new Command("list", "Scheduled jobs: last run, outcome, next due time");
        list.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            await using var runtime = await CliOptions.OpenAsync(parseResult, cancellationToken);
            var records = await runtime.Storage.JobSchedule.ListAsync(cancellationToken);
            Console.WriteLine($"{"JOB",-26} {"LAST RUN",-20} {"OUTCOME",-8} {"RUNS",6} {"FAILED",6}  {"NEXT DUE",-20} DETAIL");
            foreach (var r in records)
            {
                Console.WriteLine($"{r.Name,-26} {Time(r.LastStartedAt),-20} {r.LastOutcome ?? "-",-8} {r.Runs,6} {r.Failures,6}  {Time(r.NextDueAt),-20} {r.LastDetail}");
            }
            Console.WriteLine($"{records.Count} job(s) recorded");
            return 0;
        }));
        return new Command("jobs", "Scheduled jobs") { list };
    }

    private static string Time(DateTimeOffset? at) => at?.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-";
}
