using System.CommandLine;

namespace AmiPki.Cli.Commands;

/// <summary><c>amipki config show</c>: the effective configuration and where each value came from.</summary>
public static class ConfigCommands
{
    public static Command Create()
    {
        var show = new Command("show", "Print the effective configuration (AmiPki:…) and where each value came from; secrets redacted");
        show.SetAction((parseResult, _) => CommandRunner.RunAsync(() =>
        {
            var configuration = CliOptions.Build(parseResult, []);
            var entries = configuration.Effective().ToList();
            var width = entries.Max(e => e.Key.Length + e.Value.Length) + 3;
            foreach (var (key, value, source) in entries)
            {
                Console.WriteLine($"{(key + " = " + value).PadRight(width)}  [{source}]");
            }
            foreach (var warning in configuration.Warnings)
            {
                Console.Error.WriteLine($"amipki: warning: {warning}");
            }
            foreach (var error in configuration.Errors)
            {
                Console.Error.WriteLine($"amipki: error: {error}");
            }
            return Task.FromResult(configuration.Errors.Count == 0 ? 0 : 1);
        }));
        return new Command("config", "The configuration: appsettings.json, then AMIPKI_ environment variables, then the command line") { show };
    }
}
