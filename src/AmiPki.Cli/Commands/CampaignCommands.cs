using System.CommandLine;
using System.Globalization;
using AmiPki.Core.Campaigns;

namespace AmiPki.Cli.Commands;

/// <summary>
/// <c>amipki campaigns list</c>: renewal campaigns per DCU (counts per state), or one DCU's entries with <c>--dcu</c>.
/// Campaigns are run by the server's <c>renewal-campaign</c> job; <c>amipki jobs list</c> shows when it last ran.
/// </summary>
public static class CampaignCommands
{
    public static Command Create()
    {
        var dcu = new Option<string?>("--dcu") { Description = "List this DCU's entries (use \"\" for certificates of no DCU)" };
        var state = new Option<string?>("--state") { Description = "Only entries in this state: due, notified, renewed, overdue" };
        var limit = new Option<int>("--limit") { Description = "At most this many entries", DefaultValueFactory = _ => 100 };
        var list = new Command("list", "Renewal campaigns per DCU, or one DCU's entries") { dcu, state, limit };
        list.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var stateText = parseResult.GetValue(state);
            CampaignEntryState? stateFilter = stateText is null ? null
                : Enum.TryParse<CampaignEntryState>(stateText, ignoreCase: true, out var parsed) ? parsed
                : throw new ArgumentException($"unknown state '{stateText}' (due, notified, renewed, overdue)");
            await using var runtime = await CliOptions.OpenAsync(parseResult, cancellationToken);
            var store = runtime.Storage.Campaigns;
            var dcuValue = parseResult.GetValue(dcu);
            if (dcuValue is null && stateFilter is null)
            {
                var summaries = await store.SummarizeByDcuAsync(cancellationToken);
                Console.WriteLine($"{"DCU",-24} {"DUE",6} {"NOTIFIED",9} {"RENEWED",8} {"OVERDUE",8}  {"FIRST",-20} LAST");
                foreach (var s in summaries)
                {
                    Console.WriteLine($"{(s.Dcu.Length == 0 ? "(no DCU)" : s.Dcu),-24} {s.Due,6} {s.Notified,9} {s.Renewed,8} {s.Overdue,8}  {Time(s.FirstScheduledAt),-20} {Time(s.LastScheduledAt)}");
                }
                Console.WriteLine($"{summaries.Count} DCU(s)");
                return 0;
            }
            var entries = await store.ListAsync(new CampaignQuery(Dcu: dcuValue, State: stateFilter, Limit: parseResult.GetValue(limit)), cancellationToken);
            Console.WriteLine($"{"DCU",-16} {"SCHEDULED",-20} {"STATE",-9} {"TRIES",5} {"NOT AFTER",-20} {"SERIAL",-32}  SUBJECT");
            foreach (var e in entries)
            {
                Console.WriteLine($"{(e.Dcu.Length == 0 ? "(no DCU)" : e.Dcu),-16} {Time(e.ScheduledAt),-20} {e.State.ToString().ToLowerInvariant(),-9} {e.Attempts,5} {Time(e.NotAfter),-20} {e.SerialHex,-32}  {e.Subject}");
            }
            Console.WriteLine($"{entries.Count} entr{(entries.Count == 1 ? "y" : "ies")}");
            return 0;
        }));
        return new Command("campaigns", "Renewal campaigns") { list };
    }

    private static string Time(DateTimeOffset at) => at.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
