using System.CommandLine;
using AmiPki.Core.Approvals;

namespace AmiPki.Cli.Commands;

/// <summary>
/// <c>amipki requests list|approve ID|reject ID</c>: certificate requests of manual-approval profiles. An approved
/// request is issued when its client repeats it (RFC 7030 §4.2.3); a rejected one is refused with the reason.
/// </summary>
public static class RequestsCommands
{
    public static Command Create()
    {
        var state = new Option<string>("--state") { Description = "pending, approved, rejected, issued or all", DefaultValueFactory = _ => "pending" };
        var limit = new Option<int>("--limit") { Description = "At most this many rows", DefaultValueFactory = _ => 100 };
        var list = new Command("list", "List requests waiting for (or past) approval") { state, limit };
        list.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var filter = ApprovalService.ParseStateFilter(parseResult.GetValue(state)!);
            await using var runtime = await CliOptions.OpenAsync(parseResult, cancellationToken);
            await using var store = await runtime.Storage.OpenPendingRequestsAsync(cancellationToken);
            var rows = await store.ListAsync(filter, parseResult.GetValue(limit), cancellationToken);
            foreach (var row in rows)
            {
                Console.WriteLine($"{row.Id}  {row.State.ToString().ToLowerInvariant(),-8} {row.CreatedAt:u}  {row.Protocol,-4} {row.Profile,-16} "
                    + $"subject {row.Subject}  requester {row.Requester}{(row.DeviceDetail is null ? "" : "  " + row.DeviceDetail)}"
                    + (row.SerialHex is null ? "" : $"  serial {row.SerialHex}")
                    + (row.DecidedBy is null ? "" : $"  decided by {row.DecidedBy}{(row.Reason is null ? "" : ": " + row.Reason)}"));
            }
            Console.WriteLine($"{rows.Count} request(s)");
            return 0;
        }));
        return new Command("requests", "Requests waiting for manual approval") { list, Decision("approve", approve: true), Decision("reject", approve: false) };
    }

    private static Command Decision(string name, bool approve)
    {
        var id = new Argument<string>("id") { Description = "The request id shown by `amipki requests list`" };
        var reason = new Option<string?>("--reason") { Description = "Why (shown to the client when rejected, and audited)" };
        var command = new Command(name, approve ? "Approve a request: its client's next attempt is issued" : "Reject a request") { id, reason };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var requestId = parseResult.GetValue(id)!.Trim().ToLowerInvariant();
            await using var runtime = await CliOptions.OpenAsync(parseResult, cancellationToken);
            await using var store = await runtime.Storage.OpenPendingRequestsAsync(cancellationToken);
            var approvals = new ApprovalService(store, runtime.Storage.Audit, runtime.Time);
            PendingRequest request;
            try
            {
                request = await approvals.DecideAsync(requestId, approve, $"cli:{Environment.UserName}", parseResult.GetValue(reason), cancellationToken);
            }
            catch (KeyNotFoundException e)
            {
                return CommandRunner.Fail(e.Message);
            }
            Console.WriteLine($"{(approve ? "approved" : "rejected")} request {requestId} ({request.Profile}, {request.Subject})");
            return 0;
        }));
        return command;
    }
}
