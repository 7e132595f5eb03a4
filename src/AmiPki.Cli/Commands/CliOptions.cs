using System.CommandLine;
using AmiPki.Server;
using AmiPki.Server.Configuration;

namespace AmiPki.Cli.Commands;

/// <summary>Options every command shares, and how they become <see cref="AmiPkiOptions"/>.</summary>
public static class CliOptions
{
    public static Option<string?> Data { get; } = new("--data")
    {
        Description = "Data directory (database, keys); default AMIPKI_DATA or AmiPki:DataDirectory",
        Recursive = true,
    };

    public static Option<string?> Profiles { get; } = new("--profiles")
    {
        Description = "Profiles directory (default: the profiles shipped beside the executable)",
        Recursive = true,
    };

    public static Option<string?> Postgres { get; } = new("--postgres")
    {
        Description = "Store everything in PostgreSQL (an Npgsql connection string) instead of the data directory's SQLite file; " +
                      "default AMIPKI_POSTGRES or AmiPki:Storage:Postgres. Put the password in PGPASSWORD or a passfile, not here",
        Recursive = true,
    };

    private static bool _warned;

    /// <summary>The <see cref="AmiPkiOptions"/> of <see cref="Configure"/>.</summary>
    public static AmiPkiOptions Resolve(ParseResult parseResult, params IEnumerable<CommandLineValue> commandLine) =>
        Configure(parseResult, commandLine).Options;

    /// <summary>
    /// The process's one configuration (<see cref="AmiPkiConfiguration"/>): appsettings.json, then environment variables
    /// (<c>AmiPki__…</c>, <c>AMIPKI_…</c>, <c>AMIPKI_DATA</c>/<c>AMIPKI_POSTGRES</c>/<c>AMIPKI_KEY_PASSPHRASE</c>), then the
    /// command line: the shared options here and <paramref name="commandLine"/> (a command's own). Unknown keys are warned
    /// about on stderr; a bad value throws one line naming the key.
    /// </summary>
    public static AmiPkiConfiguration Configure(ParseResult parseResult, params IEnumerable<CommandLineValue> commandLine)
    {
        var configuration = Build(parseResult, commandLine);
        WarnOnce(configuration);
        return configuration.ThrowIfInvalid();
    }

    /// <summary>As <see cref="Configure"/>, without warning or throwing (<c>amipki config show</c> reports both itself).</summary>
    public static AmiPkiConfiguration Build(ParseResult parseResult, IEnumerable<CommandLineValue> commandLine)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        CommandLineValue[] shared =
        [
            new("AmiPki:DataDirectory", "--data", parseResult.GetValue(Data) is { Length: > 0 } data ? data : null),
            new("AmiPki:Storage:Postgres", "--postgres", parseResult.GetValue(Postgres) is { Length: > 0 } postgres ? postgres : null),
            new("AmiPki:ProfilesDirectory", "--profiles", parseResult.GetValue(Profiles) is { Length: > 0 } profiles ? profiles : null),
        ];
        return AmiPkiConfiguration.Build(shared.Concat(commandLine));
    }

    private static void WarnOnce(AmiPkiConfiguration configuration)
    {
        if (_warned)
        {
            return;
        }
        _warned = true;
        foreach (var warning in configuration.Warnings)
        {
            Console.Error.WriteLine($"amipki: warning: {warning}");
        }
    }

    public static Task<AmiPkiRuntime> OpenAsync(ParseResult parseResult, CancellationToken cancellationToken) =>
        AmiPkiRuntime.OpenAsync(Resolve(parseResult), TimeProvider.System, cancellationToken);
}
