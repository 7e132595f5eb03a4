using System.CommandLine;
using System.Globalization;
using AmiPki.Core.Audit;
using AmiPki.Core.Authorities;
using AmiPki.Core.Credentials;
using AmiPki.Core.Crl;
using AmiPki.Core.Devices;
using AmiPki.Core.Issuance;
using AmiPki.Core.Operations;
using AmiPki.Core.Profiles;
using AmiPki.Core.Revocation;
using AmiPki.Core.Storage;
using AmiPki.Core.Transactions;
using AmiPki.Protocols.Cmp;
using AmiPki.Protocols.Crl;
using AmiPki.Protocols.Ocsp;
using AmiPki.Protocols.Scep;
using AmiPki.Server.Hosting;
using AmiPki.Server.Jobs;
using AmiPki.Server;
using Microsoft.Extensions.DependencyInjection;

namespace AmiPki.Cli.Commands;

/// <summary>
/// <c>amipki jobs list</c>: each scheduled job's last run, outcome and next due time (as the server recorded them);
/// <c>amipki jobs run NAME</c>: runs one job now through <see cref="JobRunner"/> (recorded and audited as the scheduler's runs).
/// </summary>
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

        var name = new Argument<string>("name") { Description = $"The job to run ({string.Join(", ", JobNames.All)})" };
        var run = new Command("run", "Run one scheduled job now and print its outcome") { name };
        run.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var job = parseResult.GetValue(name)!;
            if (!JobNames.All.Contains(job, StringComparer.Ordinal))
            {
                return CommandRunner.Fail($"no job named '{job}' (known: {string.Join(", ", JobNames.All)})");
            }
            await using var runtime = await CliOptions.OpenAsync(parseResult, cancellationToken);
            await using var services = await CliJobServices.BuildAsync(runtime, cancellationToken);
            await runtime.AuditLog.AppendAsync(new AuditEvent(runtime.Time.GetUtcNow(), "job", CredentialCommands.Actor, "success",
                $"run now requested: {job}"), CancellationToken.None);
            if (job == JobNames.OcspRefresh)
            {
                // What the server's OcspResponderService does at start: the job waits for it.
                await services.GetRequiredService<OcspResponder>().InitializeAsync(services.GetRequiredService<DelegatedResponderIssuer>(), cancellationToken);
            }
            var record = await services.GetRequiredService<JobRunner>().RunAsync(job, cancellationToken);
            Console.WriteLine($"{record.Name}: {record.LastOutcome} in {(record.LastFinishedAt - record.LastStartedAt)?.TotalMilliseconds:0} ms: {record.LastDetail}");
            Console.WriteLine($"next due {Time(record.NextDueAt)} (runs {record.Runs}, failed {record.Failures})");
            if (job is JobNames.CrlPublication or JobNames.OcspRefresh)
            {
                Console.Error.WriteLine(CliJobServices.InProcessNote);
            }
            return record.LastOutcome == "success" ? 0 : 1;
        }));
        return new Command("jobs", "Scheduled jobs") { list, run };
    }

    private static string Time(DateTimeOffset? at) => at?.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-";
}

/// <summary>
/// The server's job services (<see cref="JobScheduling.AddAmiPkiJobsAsync"/>, CRL publishing, OCSP, CMP and SCEP
/// providers) in a container of the CLI's own, without the web host: no listener, no node-name claim, no orphaned-intent
/// recovery (a running server beside this process keeps its in-flight work) and no scheduler (Quartz is left out).
/// </summary>
internal static class CliJobServices
{
    /// <summary>The caveat of the jobs whose results live in a node's memory.</summary>
    public const string InProcessNote =
        "amipki: note: CRLs and OCSP responses are held in each server process's memory: this run built them in the CLI process "
        + "(CRL numbers come from the shared sequence, and the run is recorded and audited); a running `amipki serve` keeps serving "
        + "its own until its next crl-publication run or a revocation";

    public static async Task<ServiceProvider> BuildAsync(AmiPkiRuntime runtime, CancellationToken cancellationToken)
    {
        var issuance = await runtime.LoadAuthoritiesAsync(cancellationToken);
        var options = runtime.Options;
        options.Jobs.Enabled = false;
        options.Crl.RefreshInBackground = false;
        options.Ocsp.MaintainInBackground = false;
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAmiPkiRuntime(runtime, issuance);
        services.AddSingleton(options.Crl);
        services.AddSingleton(options.Ocsp);
        services.AddOcspResponder();
        services.AddCrlPublishing();
        services.AddCmp();
        services.AddScep();
        await services.AddAmiPkiJobsAsync(runtime, cancellationToken);
        return services.BuildServiceProvider();
    }
}
