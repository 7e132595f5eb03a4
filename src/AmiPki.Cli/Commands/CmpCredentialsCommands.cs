using System.CommandLine;
using System.Globalization;
using AmiPki.Protocols.Cmp;
using AmiPki.Server.Admin;

namespace AmiPki.Cli.Commands;

/// <summary>
/// <c>amipki cmp-credentials add --ref R --profile P [--subject S] [--expires-in D]</c> and <c>list</c>: the reference
/// number and shared secret a DCU uses for its first CMP enrollment with PasswordBasedMac (RFC 4210 §5.1.3.1, RFC 9483
/// §3.2; openssl <c>-ref</c>/<c>-secret</c>). One-time and expiring by default, bound to a profile and optionally a
/// subject. The MAC needs the plain secret, so it is stored AES-GCM encrypted (<see cref="CmpSecretProtector"/>).
/// </summary>
public static class CmpCredentialsCommands
{
    public static Command Create()
    {
        var reference = new Option<string>("--ref") { Description = "Reference number (the senderKID, openssl -ref)", Required = true };
        // Not "--profiles": that is the global option naming the profiles directory.
        var profile = new Option<string>("--profile") { Description = "Profile(s) the reference may enroll for, comma-separated; the first is the default", Required = true };
        var subject = new Option<string?>("--subject") { Description = "Only this subject may be enrolled, RFC 4514 order as `amipki show` prints it (e.g. CN=DCU-0001)" };
        var expiresIn = new Option<string>("--expires-in") { Description = "Validity of the reference: e.g. 7d, 12h, 30m (default 7d)", DefaultValueFactory = _ => "7d" };
        var reusable = new Option<bool>("--reusable") { Description = "Allow several enrollments (default: one-time)" };
        var secretStdin = new Option<bool>("--secret-stdin") { Description = "Read the secret from the first line of stdin instead of generating one" };
        var add = new Command("add", "Add a CMP reference number and secret; prints a generated secret once") { reference, profile, subject, expiresIn, reusable, secretStdin };
        add.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            if (!DurationText.TryParse(parseResult.GetValue(expiresIn), out var lifetime))
            {
                return CommandRunner.Fail($"--expires-in: expected {DurationText.Expected}");
            }
            var profileNames = parseResult.GetValue(profile)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var secret = await CredentialCommands.SecretFromStdinAsync(parseResult.GetValue(secretStdin), cancellationToken);
            var (runtime, credentials) = await CredentialCommands.OpenAsync(parseResult, cancellationToken);
            await using (runtime)
            {
                var oneTime = !parseResult.GetValue(reusable);
                var created = await credentials.AddCmpReferenceAsync(parseResult.GetValue(reference)!, profileNames, parseResult.GetValue(subject), lifetime,
                    oneTime, secret, CredentialCommands.Actor, cancellationToken);
                Console.WriteLine($"added CMP reference {created.Credential.Name} for {string.Join(", ", created.Credential.Profiles)}, "
                                  + $"expires {created.Credential.ExpiresAt:u}{(oneTime ? ", one-time" : "")}");
                if (created.Secret is not null)
                {
                    Console.WriteLine($"secret (shown once): {created.Secret}");
                }
                return 0;
            }
        }));

        var list = new Command("list", "List CMP reference numbers (never their secrets)");
        list.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            await using var runtime = await CliOptions.OpenAsync(parseResult, cancellationToken);
            var credentials = await runtime.Storage.Credentials.ListAsync(CmpSecretProtector.CredentialKind, cancellationToken);
            foreach (var credential in credentials)
            {
                Console.WriteLine($"{credential.Name,-24} profiles {string.Join(",", credential.Profiles),-24} subject {credential.Subject ?? "-",-20} "
                    + $"expires {credential.ExpiresAt?.ToString("u", CultureInfo.InvariantCulture) ?? "-"}"
                    + (credential.OneTime ? credential.UsedAt is null ? "  one-time" : "  one-time, used" : ""));
            }
            Console.WriteLine($"{credentials.Count} reference(s)");
            return 0;
        }));
        return new Command("cmp-credentials", "CMP reference numbers and shared secrets (PasswordBasedMac)")
        {
            add, list, CredentialCommands.Remove(CmpSecretProtector.CredentialKind, "CMP reference"),
        };
    }
}
