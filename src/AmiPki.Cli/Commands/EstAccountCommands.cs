using System.CommandLine;
using System.Security.Cryptography;
using AmiPki.Core.Audit;
using AmiPki.Core.Credentials;
using AmiPki.Core.Profiles;
using AmiPki.Server;

namespace AmiPki.Cli.Commands;

/// <summary>
/// <c>amipki est-account add --name N --allowed-profiles P,Q</c> and <c>amipki est-account list</c>: HTTP Basic accounts for EST
/// (RFC 7030 §3.2.3), bound to the profiles they may use. Only a PBKDF2 hash of the secret is stored; a generated secret
/// is printed once.
/// </summary>
public static class EstAccountCommands
{
    /// <summary>The credential kind EST looks accounts up by.</summary>
    public const string Kind = "est-account";

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
            var accountName = parseResult.GetValue(name)!.Trim();
            if (accountName.Length == 0 || accountName.Contains(':', StringComparison.Ordinal))
            {
                // RFC 7617 §2: the user-id cannot contain a colon.
                return CommandRunner.Fail("--name must be non-empty and contain no ':'");
            }
            var profileNames = parseResult.GetValue(profiles)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var options = CliOptions.Resolve(parseResult);
            var known = ProfileLoader.LoadDirectory(AmiPkiRuntime.ResolveProfilesDirectory(options));
            if (profileNames.Length == 0)
            {
                return CommandRunner.Fail("--allowed-profiles names no profile");
            }
            foreach (var profileName in profileNames)
            {
                if (known.Find(profileName) is not { } profile)
                {
                    return CommandRunner.Fail($"no profile named '{profileName}' (known: {string.Join(", ", known.All.Select(p => p.Name).Order(StringComparer.Ordinal))})");
                }
                if (!profile.Protocols.Contains(EnrollmentProtocol.Est, StringComparer.Ordinal))
                {
                    return CommandRunner.Fail($"profile {profileName} does not allow EST (protocols: {string.Join(", ", profile.Protocols)})");
                }
            }
            string secret;
            var generated = !parseResult.GetValue(secretStdin);
            if (generated)
            {
                // 24 CSPRNG bytes (192 bits), base64url: typeable, and far beyond guessing even without PBKDF2.
                secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            }
            else
            {
                secret = (await Console.In.ReadLineAsync(cancellationToken))?.TrimEnd('\r', '\n') ?? "";
                if (secret.Length < 12)
                {
                    return CommandRunner.Fail("the secret read from stdin must be at least 12 characters");
                }
            }
            await using var runtime = await AmiPkiRuntime.OpenAsync(options, TimeProvider.System, cancellationToken);
            var now = runtime.Time.GetUtcNow();
            var expires = parseResult.GetValue(expiresDays) is { } days ? now.AddDays(days) : (DateTimeOffset?)null;
            await runtime.Storage.Credentials.AddAsync(new EnrollmentCredential(Kind, accountName, SecretHasher.Hash(secret), profileNames,
                parseResult.GetValue(subject), expires, parseResult.GetValue(oneTime), null, now), cancellationToken);
            await runtime.Storage.Audit.AppendAsync(new AuditEvent(now, "credential", $"cli:{Environment.UserName}", "success",
                $"added EST account {accountName} profiles={string.Join(",", profileNames)} subject={parseResult.GetValue(subject) ?? "-"} expires={expires?.ToString("u") ?? "-"} oneTime={parseResult.GetValue(oneTime)}"),
                cancellationToken);
            Console.WriteLine($"added EST account {accountName} for {string.Join(", ", profileNames)}");
            if (generated)
            {
                Console.WriteLine($"secret (shown once): {secret}");
            }
            return 0;
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
        return new Command("est-account", "EST HTTP Basic accounts") { add, list };
    }
}
