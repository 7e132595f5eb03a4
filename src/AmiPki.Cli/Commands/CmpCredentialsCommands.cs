using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using AmiPki.Core.Audit;
using AmiPki.Core.Credentials;
using AmiPki.Core.Profiles;
using AmiPki.Protocols.Cmp;
using AmiPki.Server;

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
            var name = parseResult.GetValue(reference)!.Trim();
            if (name.Length is 0 or > 128)
            {
                return CommandRunner.Fail("--ref must be 1..128 characters");
            }
            if (!TryParseDuration(parseResult.GetValue(expiresIn)!, out var lifetime))
            {
                return CommandRunner.Fail("--expires-in must be a positive number followed by d, h or m (e.g. 7d)");
            }
            var profileNames = parseResult.GetValue(profile)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var options = CliOptions.Resolve(parseResult);
            var known = ProfileLoader.LoadDirectory(AmiPkiRuntime.ResolveProfilesDirectory(options));
            if (profileNames.Length == 0)
            {
                return CommandRunner.Fail("--profile names no profile");
            }
            foreach (var profileName in profileNames)
            {
                if (known.Find(profileName) is not { } found)
                {
                    return CommandRunner.Fail($"no profile named '{profileName}' (known: {string.Join(", ", known.All.Select(p => p.Name).Order(StringComparer.Ordinal))})");
                }
                if (!found.Protocols.Contains(EnrollmentProtocol.Cmp, StringComparer.Ordinal))
                {
                    return CommandRunner.Fail($"profile {profileName} does not allow CMP (protocols: {string.Join(", ", found.Protocols)})");
                }
            }
            var protector = CmpSecretProtector.FromEnvironment(options.KeyPassphrase);
            if (protector is null)
            {
                return CommandRunner.Fail($"set {CmpSecretProtector.KeyVariable} or {CmpSecretProtector.FallbackVariable}: CMP secrets are stored encrypted under it");
            }
            string secret;
            var generated = !parseResult.GetValue(secretStdin);
            if (generated)
            {
                // 24 CSPRNG bytes (192 bits), base64url: typeable, far beyond guessing.
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
            if (await runtime.Storage.Credentials.FindAsync(CmpSecretProtector.CredentialKind, name, cancellationToken) is not null)
            {
                return CommandRunner.Fail($"reference {name} exists already");
            }
            var now = runtime.Time.GetUtcNow();
            var expires = now + lifetime;
            var oneTime = !parseResult.GetValue(reusable);
            var boundSubject = parseResult.GetValue(subject);
            await runtime.Storage.Credentials.AddAsync(new EnrollmentCredential(CmpSecretProtector.CredentialKind, name, protector.Protect(name, secret), profileNames,
                boundSubject, expires, oneTime, null, now), cancellationToken);
            await runtime.Storage.Audit.AppendAsync(new AuditEvent(now, "credential", $"cli:{Environment.UserName}", "success",
                $"added CMP reference {name} profiles={string.Join(",", profileNames)} subject={boundSubject ?? "-"} expires={expires:u} oneTime={oneTime}"),
                cancellationToken);
            Console.WriteLine($"added CMP reference {name} for {string.Join(", ", profileNames)}, expires {expires:u}{(oneTime ? ", one-time" : "")}");
            if (generated)
            {
                Console.WriteLine($"secret (shown once): {secret}");
            }
            return 0;
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
        return new Command("cmp-credentials", "CMP reference numbers and shared secrets (PasswordBasedMac)") { add, list };
    }

    private static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        text = text.Trim();
        if (text.Length < 2 || !int.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount <= 0)
        {
            return false;
        }
        duration = char.ToLowerInvariant(text[^1]) switch
        {
            'd' => TimeSpan.FromDays(amount),
            'h' => TimeSpan.FromHours(amount),
            'm' => TimeSpan.FromMinutes(amount),
            _ => default,
        };
        return duration > TimeSpan.Zero;
    }
}
