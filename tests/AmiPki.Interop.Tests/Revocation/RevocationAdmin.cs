using System.CommandLine;
using AmiPki.Cli.Commands;
using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.Revocation;

/// <summary>
/// Runs <c>amipki revoke</c> / <c>amipki crl</c> against a server's data directory: as a separate <c>amipki</c> process
/// when the executable registers the commands, otherwise (until Program.cs wires them) the same command objects in
/// this test process — either way another process than the server, which must notice the change through storage.
/// </summary>
public static class RevocationAdmin
{
    private static readonly Dictionary<string, bool> Wired = new(StringComparer.Ordinal);
    private static readonly SemaphoreSlim Console = new(1, 1);

    public static async Task<ProcessResult> RunAsync(AmiPkiServer server, params string[] arguments)
    {
        if (!Wired.TryGetValue(arguments[0], out var wired))
        {
            // An unknown command with --help prints the root help: look for this command's own usage line.
            var help = await server.CliAsync(arguments[0], "--help");
            wired = help.ExitCode == 0 && help.StandardOutput.Contains($"amipki {arguments[0]} [options]", StringComparison.Ordinal);
            Wired[arguments[0]] = wired;
        }
        if (wired)
        {
            return await server.CliAsync(arguments);
        }
        await Console.WaitAsync();
        var output = new StringWriter();
        var error = new StringWriter();
        var (oldOut, oldError) = (System.Console.Out, System.Console.Error);
        try
        {
            Environment.SetEnvironmentVariable("AMIPKI_KEY_PASSPHRASE", AmiPkiServer.TestKeyPassphrase);
            System.Console.SetOut(output);
            System.Console.SetError(error);
            var root = new RootCommand("amipki (revocation commands)") { CliOptions.Data, CliOptions.Profiles, RevokeCommands.Create(), CrlCommand.Create() };
            var exitCode = await root.Parse([.. arguments, "--data", server.DataDirectory, "--profiles", RepositoryPaths.Profiles]).InvokeAsync();
            return new ProcessResult("amipki (in-process) " + string.Join(' ', arguments), exitCode, output.ToString(), error.ToString(), []);
        }
        finally
        {
            System.Console.SetOut(oldOut);
            System.Console.SetError(oldError);
            Console.Release();
        }
    }
}
