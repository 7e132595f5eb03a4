using System.CommandLine;

namespace AmiPki.Cli.Commands;

/// <summary>
/// <c>amipki audit verify</c>: checks the hash chain; names the first bad sequence number. <c>amipki audit search</c>:
/// matching entries, newest first (<see cref="AuditSearchCommand"/>).
/// </summary>
public static class AuditCommands
{
    public static Command Create()
    {
        var verify = new Command("verify", "Verify the audit log's hash chain (deleted, altered, reordered or truncated entries)");
        verify.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            await using var runtime = await CliOptions.OpenAsync(parseResult, cancellationToken);
            // One read snapshot for heads and entries, so a live server appending meanwhile is not mistaken for tampering.
            var result = await runtime.Storage.Audit.VerifyAsync(cancellationToken);
            if (result.IsIntact)
            {
                Console.WriteLine($"audit log intact: {result.EntriesChecked} entries verified");
                return 0;
            }
            return CommandRunner.Fail($"audit log broken at sequence {result.FirstBadSequence}: {result.Problem} ({result.EntriesChecked} entries verified before it)", 4);
        }));
        return new Command("audit", "Audit log") { verify, AuditSearchCommand.Create() };
    }
}
