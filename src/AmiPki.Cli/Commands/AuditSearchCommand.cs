using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AmiPki.Core.Audit;
using AmiPki.Server.Api.Contracts;
using AmiPki.Server.Api.Validation;

namespace AmiPki.Cli.Commands;

/// <summary>
/// <c>amipki audit search</c>: the audit entries matching the filters, <b>newest first</b> (by time, then node and
/// sequence), at most <c>--limit</c> of them. The filters are the admin API's (<c>GET /api/v1/audit</c>: same semantics, same
/// limit rule via <see cref="AuditSearchValidator"/>) plus <c>--serial</c>. The log is streamed once; memory is bounded by
/// the limit, not the log.
/// </summary>
public static class AuditSearchCommand
{
    public const int DefaultLimit = 100;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create()
    {
        var kind = new Option<string?>("--kind") { Description = "Only this kind (exact: issuance, revocation, crl, admin-api, job, …)" };
        var actor = new Option<string?>("--actor") { Description = "Only actors containing this text (case-insensitive)" };
        var serial = new Option<string?>("--serial") { Description = "Only entries whose detail names this serial (serial=HEX; hex, case-insensitive)" };
        var outcome = new Option<string?>("--outcome") { Description = "Only this outcome (success, refused, failed, outcome-unknown)" };
        var since = new Option<DateTimeOffset?>("--since") { Description = "Only entries at or after this time (ISO 8601)" };
        var until = new Option<DateTimeOffset?>("--until") { Description = "Only entries at or before this time (ISO 8601)" };
        var limit = new Option<int>("--limit") { Description = $"At most this many entries, the newest (default {DefaultLimit})", DefaultValueFactory = _ => DefaultLimit };
        var json = new Option<bool>("--json") { Description = "Print JSON (entries as GET /api/v1/audit shows them)" };
        var command = new Command("search", "Search the audit log; newest first")
        {
            kind, actor, serial, outcome, since, until, limit, json,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var search = new AuditSearch
            {
                Kind = parseResult.GetValue(kind), Actor = parseResult.GetValue(actor), Outcome = parseResult.GetValue(outcome),
                Since = parseResult.GetValue(since), Until = parseResult.GetValue(until), Limit = parseResult.GetValue(limit),
            };
            var problems = new AuditSearchValidator().Validate(search);
            if (!problems.IsValid)
            {
                var first = problems.Errors[0];
                return CommandRunner.Fail($"option '--{first.PropertyName.ToLowerInvariant()}': {first.ErrorMessage}", 2);
            }
            var serialValue = parseResult.GetValue(serial);
            if (serialValue is not null && !AuditFilter.IsHexSerial(serialValue))
            {
                return CommandRunner.Fail("option '--serial': expects a hexadecimal serial number (the value given is not shown)", 2);
            }
            var filter = new AuditFilter(search.Kind, search.Actor, search.Outcome, serialValue, search.Since, search.Until);

            await using var runtime = await CliOptions.OpenAsync(parseResult, cancellationToken);
            var (entries, more) = await NewestAsync(runtime.Storage.Audit.ReadAllAsync(cancellationToken), filter, search.Limit!.Value, cancellationToken);

            if (parseResult.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new AuditSearchResult("newest-first", entries.Select(AuditEntryView.From).ToList(), more), Json));
                return 0;
            }
            Console.WriteLine($"{"TIME",-24}  {"NODE",-10} {"SEQ",8}  {"KIND",-14} {"ACTOR",-24} {"OUTCOME",-15} DETAIL");
            foreach (var entry in entries)
            {
                var e = entry.Event;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{e.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),-24}  {Printable(entry.Node),-10} {entry.Sequence,8}  {Printable(e.Kind),-14} {Printable(e.Actor),-24} {Printable(e.Outcome),-15} {Printable(e.Detail)}"));
            }
            Console.WriteLine(more
                ? $"{entries.Count} entr{(entries.Count == 1 ? "y" : "ies")} (newest first; more match: raise --limit or narrow the search)"
                : $"{entries.Count} entr{(entries.Count == 1 ? "y" : "ies")} (newest first)");
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// The <paramref name="limit"/> newest matching entries, newest first, and whether older matches were left out.
    /// Storage streams in node/sequence order, not time order across nodes, so a bounded min-heap keeps the newest.
    /// </summary>
    public static async Task<(IReadOnlyList<AuditEntry> Entries, bool More)> NewestAsync(IAsyncEnumerable<AuditEntry> all, AuditFilter filter,
        int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(all);
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var heap = new PriorityQueue<AuditEntry, AuditEntry>(limit + 1, OldestFirst.Instance);
        var more = false;
        await foreach (var entry in all.WithCancellation(cancellationToken))
        {
            if (!filter.Matches(entry.Event))
            {
                continue;
            }
            heap.Enqueue(entry, entry);
            if (heap.Count > limit)
            {
                heap.Dequeue(); // the oldest
                more = true;
            }
        }
        var result = new AuditEntry[heap.Count];
        for (var i = result.Length - 1; i >= 0; i--)
        {
            result[i] = heap.Dequeue();
        }
        return (result, more);
    }

    /// <summary>Control characters (a subject with terminal escapes, a newline) shown as '?' so one entry stays one line.</summary>
    private static string Printable(string text)
    {
        if (!text.Any(char.IsControl))
        {
            return text;
        }
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(char.IsControl(c) ? '?' : c);
        }
        return builder.ToString();
    }

    private sealed record AuditSearchResult(string Order, IReadOnlyList<AuditEntryView> Items, bool More);

    private sealed class OldestFirst : IComparer<AuditEntry>
    {
        public static readonly OldestFirst Instance = new();

        public int Compare(AuditEntry? x, AuditEntry? y)
        {
            ArgumentNullException.ThrowIfNull(x);
            ArgumentNullException.ThrowIfNull(y);
            var byTime = x.Event.At.CompareTo(y.Event.At);
            if (byTime != 0)
            {
                return byTime;
            }
            var byNode = string.CompareOrdinal(x.Node, y.Node);
            return byNode != 0 ? byNode : x.Sequence.CompareTo(y.Sequence);
        }
    }
}
