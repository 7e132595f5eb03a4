using System.CommandLine;
using AmiPki.Core.Profiles;
using AmiPki.Protocols.Cmp;
using AmiPki.Server;
using AmiPki.Server.Admin;

namespace AmiPki.Cli.Commands;

/// <summary>What the credential commands share: the <see cref="EnrollmentCredentialAdmin"/> over this data directory, and <c>remove</c>.</summary>
internal static class CredentialCommands
{
    public static string Actor => $"cli:{Environment.UserName}";

    /// <summary>Opens the runtime and the credential service (profiles loaded from the profiles directory; no CA needed).</summary>
    public static async Task<(AmiPkiRuntime Runtime, EnrollmentCredentialAdmin Credentials)> OpenAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var options = CliOptions.Resolve(parseResult);
        var profiles = ProfileLoader.LoadDirectory(AmiPkiRuntime.ResolveProfilesDirectory(options));
        var runtime = await AmiPkiRuntime.OpenAsync(options, TimeProvider.System, cancellationToken);
        return (runtime, new EnrollmentCredentialAdmin(runtime.Storage.Credentials, runtime.Storage.Audit, profiles, runtime.Time,
            CmpSecretProtector.FromEnvironment(options.KeyPassphrase)));
    }

    /// <summary>Reads a secret from the first line of stdin (null: generate one).</summary>
    public static async Task<string?> SecretFromStdinAsync(bool fromStdin, CancellationToken cancellationToken) =>
        fromStdin ? (await Console.In.ReadLineAsync(cancellationToken))?.TrimEnd('\r', '\n') ?? "" : null;

    public static Command Remove(string kind, string what)
    {
        var name = new Argument<string>("name") { Description = $"The {what} to delete" };
        var remove = new Command("remove", $"Delete a {what}: it authorises no further enrollment (certificates it enrolled stay valid)") { name };
        remove.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var (runtime, credentials) = await OpenAsync(parseResult, cancellationToken);
            await using (runtime)
            {
                var target = parseResult.GetValue(name)!;
                if (!await credentials.DeleteAsync(kind, target, Actor, cancellationToken))
                {
                    return CommandRunner.Fail($"no {what} named '{target}'");
                }
                Console.WriteLine($"deleted {what} {target}");
                return 0;
            }
        }));
        return remove;
    }
}
