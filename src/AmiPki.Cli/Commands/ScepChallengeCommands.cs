using System.CommandLine;
using System.Globalization;
using AmiPki.Core.Audit;
using AmiPki.Core.Credentials;
using AmiPki.Core.Profiles;
using AmiPki.Protocols.Scep;
using AmiPki.Server;

namespace AmiPki.Cli.Commands;

/// <summary>
/// <c>amipki scep-challenge add --profile P [--expires-in D]</c> and <c>amipki scep-challenge list</c>: one-time SCEP
/// challenge passwords (RFC 8894 §2.3) for one profile. Only a PBKDF2 hash is stored; the password is printed once.
/// </summary>
public static class ScepChallengeCommands
{
    private static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(7);

    public static Command Create()
    {
        // Not "--profiles": that is the global option naming the profiles directory.
        var profile = new Option<string>("--profile") { Description = "The profile the challenge enrolls for (must allow scep)", Required = true };
        var expiresIn = new Option<string?>("--expires-in") { Description = "Lifetime: 30m, 12h, 7d (default 7d)" };
        var subject = new Option<string?>("--subject") { Description = "Recorded with the challenge, for the admin's eyes (e.g. CN=switch-01)" };
        var add = new Command("add", "Add a one-time SCEP challenge password; prints it once") { profile, expiresIn, subject };
        add.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var profileName = parseResult.GetValue(profile)!.Trim();
            if (!TryParseLifetime(parseResult.GetValue(expiresIn), out var lifetime))
            {
                return CommandRunner.Fail($"--expires-in {parseResult.GetValue(expiresIn)}: expected a positive duration such as 30m, 12h or 7d");
            }
            var options = CliOptions.Resolve(parseResult);
            var known = ProfileLoader.LoadDirectory(AmiPkiRuntime.ResolveProfilesDirectory(options));
            if (known.Find(profileName) is not { } found)
            {
                return CommandRunner.Fail($"no profile named '{profileName}' (known: {string.Join(", ", known.All.Select(p => p.Name).Order(StringComparer.Ordinal))})");
            }
            if (!found.Protocols.Contains(EnrollmentProtocol.Scep, StringComparer.Ordinal))
            {
                return CommandRunner.Fail($"profile {profileName} does not allow SCEP (protocols: {string.Join(", ", found.Protocols)})");
            }
            var (id, secret, password) = ScepChallenge.Generate();
            await using var runtime = await AmiPkiRuntime.OpenAsync(options, TimeProvider.System, cancellationToken);
            var now = runtime.Time.GetUtcNow();
            var expires = now + lifetime;
            await runtime.Storage.Credentials.AddAsync(new EnrollmentCredential(ScepChallenge.CredentialKind, id, SecretHasher.Hash(secret), [profileName],
                parseResult.GetValue(subject), expires, OneTime: true, UsedAt: null, now), cancellationToken);
            await runtime.Storage.Audit.AppendAsync(new AuditEvent(now, "credential", $"cli:{Environment.UserName}", "success",
                $"added SCEP challenge {id} profile={profileName} expires={expires:u} oneTime=True"), cancellationToken);
            Console.WriteLine($"added SCEP challenge {id} for {profileName}, valid until {expires:u}");
            Console.WriteLine($"challenge (shown once): {password}");
            return 0;
        }));

        var list = new Command("list", "List SCEP challenges (never their secrets)");
        list.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            await using var runtime = await CliOptions.OpenAsync(parseResult, cancellationToken);
            var challenges = await runtime.Storage.Credentials.ListAsync(ScepChallenge.CredentialKind, cancellationToken);
            foreach (var challenge in challenges)
            {
                Console.WriteLine($"{challenge.Name}  profile {string.Join(",", challenge.Profiles),-20} expires {challenge.ExpiresAt?.ToString("u") ?? "-"}  "
                    + (challenge.UsedAt is { } used ? $"used {used:u}" : "unused"));
            }
            Console.WriteLine($"{challenges.Count} challenge(s)");
            return 0;
        }));
        return new Command("scep-challenge", "One-time SCEP challenge passwords (RFC 8894 §2.3)") { add, list };
    }

    internal static bool TryParseLifetime(string? text, out TimeSpan lifetime)
    {
        lifetime = DefaultLifetime;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }
        text = text.Trim();
        var unit = text[^1];
        if (!double.TryParse(text[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) || amount <= 0 || amount > 3660)
        {
            return false;
        }
        switch (unit)
        {
            case 'm':
                lifetime = TimeSpan.FromMinutes(amount);
                return true;
            case 'h':
                lifetime = TimeSpan.FromHours(amount);
                return true;
            case 'd':
                lifetime = TimeSpan.FromDays(amount);
                return true;
            default:
                return false;
        }
    }
}
