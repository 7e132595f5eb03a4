using System.CommandLine;
using AmiPki.Server.Admin;

namespace AmiPki.Cli.Commands;

/// <summary>
/// <c>amipki est-account add --name N --allowed-profiles P,Q</c> and <c>amipki est-account list</c>: HTTP Basic accounts for EST
/// (RFC 7030 §3.2.3), bound to the profiles they may use. Only a PBKDF2 hash of the secret is stored; a generated secret
/// is printed once.
/// </summary>
public static class EstAccountCommands
{
    /// <summary>The credential kind EST looks accounts up by.</summary>
    public const string Kind = EnrollmentCredentialAdmin.EstAccountKind;

    public static Command Create()
    {
        var name = new Option<string>("--name") { Description = "Account name (the Basic user-id)", Required = true };
        // Not "--profiles": that is the global option naming the profiles directory.
        var profiles = new Option<string>("--allowed-profiles") { Description = "Comma-separated profiles the account may enroll for", Required = true };
        var subject = new Option<string?>("--subject") { Description = "Only this subject DN may be enrolled (e.g. CN=hes-01)" };
        var expiresDays = new Option<int?>("--expires-days") { Description = "The account stops working after this many days" };
        var oneTime = new Option<bool>("--one-time") { Description = "The account works for one enrollment only" };
        var secretStdin = new Option<bool>("--secret-stdin") { Description = "Read the secret from the first line of stdin instead of generating one" };
        var add = new Command("add", "Add an EST account; prints the generated secret once") { name, profiles, subject, expiresDays, oneTime, secretStdin };
        add.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var profileNames = parseResult.GetValue(profiles)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var secret = await CredentialCommands.SecretFromStdinAsync(parseResult.GetValue(secretStdin), cancellationToken);
            var (runtime, credentials) = await CredentialCommands.OpenAsync(parseResult, cancellationToken);
            await using (runtime)
            {
                var lifetime = parseResult.GetValue(expiresDays) is { } days ? TimeSpan.FromDays(days) : (TimeSpan?)null;
                var created = await credentials.AddEstAccountAsync(parseResult.GetValue(name)!, profileNames, parseResult.GetValue(subject), lifetime,
                    parseResult.GetValue(oneTime), secret, CredentialCommands.Actor, cancellationToken);
                Console.WriteLine($"added EST account {created.Credential.Name} for {string.Join(", ", created.Credential.Profiles)}");
                if (created.Secret is not null)
                {
                    Console.WriteLine($"secret (shown once): {created.Secret}");
                }
                return 0;
            }
        }));

        var list = new Command("list", "List EST accounts (never their secrets)");
        list.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            await using var runtime = await CliOptions.OpenAsync(parseResult, cancellationToken);
            var accounts = await runtime.Storage.Credentials.ListAsync(Kind, cancellationToken);
            foreach (var account in accounts)
            {
                Console.WriteLine($"{account.Name,-24} profiles {string.Join(",", account.Profiles),-32} subject {account.Subject ?? "-",-20} "
                    + $"expires {account.ExpiresAt?.ToString("u") ?? "-"}{(account.OneTime ? account.UsedAt is null ? "  one-time" : "  one-time, used" : "")}");
            }
            Console.WriteLine($"{accounts.Count} account(s)");
            return 0;
        }));
        return new Command("est-account", "EST HTTP Basic accounts") { add, list, CredentialCommands.Remove(Kind, "EST account") };
    }
}
