using System.CommandLine;
using AmiPki.Server;
using Microsoft.Extensions.Configuration;

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

    /// <summary>appsettings.json, then AMIPKI_* environment variables (e.g. AMIPKI_HttpPort, AMIPKI_POSTGRES), then the command line.</summary>
    public static AmiPkiOptions Resolve(ParseResult parseResult)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .Build();
        var options = new AmiPkiOptions();
        configuration.GetSection(AmiPkiOptions.Section).Bind(options);
        new ConfigurationBuilder().AddEnvironmentVariables("AMIPKI_").Build().Bind(options);
        if (Environment.GetEnvironmentVariable("AMIPKI_DATA") is { Length: > 0 } data)
        {
            options.DataDirectory = data;
        }
        if (parseResult.GetValue(Data) is { Length: > 0 } dataOption)
        {
            options.DataDirectory = dataOption;
        }
        if (Environment.GetEnvironmentVariable("AMIPKI_POSTGRES") is { Length: > 0 } postgres)
        {
            options.Storage.Postgres = postgres;
        }
        if (parseResult.GetValue(Postgres) is { Length: > 0 } postgresOption)
        {
            options.Storage.Postgres = postgresOption;
        }
        if (parseResult.GetValue(Profiles) is { Length: > 0 } profiles)
        {
            options.ProfilesDirectory = profiles;
        }
        return options;
    }

    public static Task<AmiPkiRuntime> OpenAsync(ParseResult parseResult, CancellationToken cancellationToken) =>
        AmiPkiRuntime.OpenAsync(Resolve(parseResult), TimeProvider.System, cancellationToken);
}
