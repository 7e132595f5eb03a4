using System.CommandLine;
using AmiPki.Protocols.Scep;
using AmiPki.Server.Admin;

namespace AmiPki.Cli.Commands;

/// <summary>
/// <c>amipki scep-challenge add --profile P [--expires-in D]</c> and <c>amipki scep-challenge list</c>: one-time SCEP
/// challenge passwords (RFC 8894 §2.3) for one profile. Only a PBKDF2 hash is stored; the password is printed once.
/// </summary>
public static class ScepChallengeCommands
{
    public static Command Create()
    {
        // Not "--profiles": that is the global option naming the profiles directory.
        var profile = new Option<string>("--profile") { Description = "The profile the challenge enrolls for (must allow scep)", Required = true };
        var expiresIn = new Option<string?>("--expires-in") { Description = "Lifetime: 30m, 12h, 7d (default 7d)" };
        var subject = new Option<string?>("--subject") { Description = "Recorded with the challenge, for the admin's eyes (e.g. CN=switch-01)" };
        var add = new Command("add", "Add a one-time SCEP challenge password; prints it once") { profile, expiresIn, subject };
        add.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var lifetime = EnrollmentCredentialAdmin.DefaultLifetime;
            if (parseResult.GetValue(expiresIn) is { } text && !DurationText.TryParse(text, out lifetime))
            {
                return CommandRunner.Fail($"--expires-in {text}: expected {DurationText.Expected}");
            }
            var (runtime, credentials) = await CredentialCommands.OpenAsync(parseResult, cancellationToken);
            await using (runtime)
            {
                var created = await credentials.AddScepChallengeAsync(parseResult.GetValue(profile)!.Trim(), parseResult.GetValue(subject), lifetime,
                    CredentialCommands.Actor, cancellationToken);
                Console.WriteLine($"added SCEP challenge {created.Credential.Name} for {created.Credential.Profiles[0]}, valid until {created.Credential.ExpiresAt:u}");
                Console.WriteLine($"challenge (shown once): {created.Secret}");
                return 0;
            }
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
        return new Command("scep-challenge", "One-time SCEP challenge passwords (RFC 8894 §2.3)")
        {
            add, list, CredentialCommands.Remove(ScepChallenge.CredentialKind, "SCEP challenge"),
        };
    }
}
