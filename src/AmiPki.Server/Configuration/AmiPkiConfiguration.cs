using System.Collections;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;

namespace AmiPki.Server.Configuration;

/// <summary>
/// The one configuration of an <c>amipki</c> process, built once and used by <c>serve</c> (handed to the web host, so every
/// section is bound from it) and every other command. Sources, later ones winning: <c>appsettings.json</c> beside the
/// executable, environment variables (<c>AmiPki__Cmp__X</c>, then <c>AMIPKI_Cmp__X</c>, then <c>AMIPKI_DATA</c>,
/// <c>AMIPKI_POSTGRES</c>, <c>AMIPKI_KEY_PASSPHRASE</c>), then the command line's options.
/// </summary>
public sealed class AmiPkiConfiguration
{
    private AmiPkiConfiguration(IConfigurationRoot root, AmiPkiOptions options, IReadOnlyList<string> errors, IReadOnlyList<string> warnings)
    {
        Root = root;
        Options = options;
        Errors = errors;
        Warnings = warnings;
    }

    /// <summary>Everything, for the web host (<c>AmiPki:Est</c>, <c>AmiPki:Cmp</c>, ..., <c>Logging</c>).</summary>
    public IConfigurationRoot Root { get; }

    /// <summary>Section <c>AmiPki</c> bound (defaults where invalid values were given: check <see cref="Errors"/>).</summary>
    public AmiPkiOptions Options { get; }

    /// <summary>Values that do not convert or are out of range, one line each naming the key; start-up stops on any.</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>Unknown keys (with the nearest known one) and keys the server sets itself.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <param name="commandLine">The command line's values, applied last.</param>
    /// <param name="environment">The environment variables; the process's by default.</param>
    /// <param name="appSettings">The appsettings file; <c>appsettings.json</c> beside the executable by default.</param>
    public static AmiPkiConfiguration Build(IEnumerable<CommandLineValue> commandLine, Func<IDictionary>? environment = null, string? appSettings = null)
    {
        var root = new ConfigurationBuilder()
            .AddJsonFile(appSettings ?? Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .Add(new AmiPkiEnvironmentConfigurationSource(environment))
            .Add(new CommandLineValuesSource(commandLine))
            .Build();
        var errors = new List<string>();
        var warnings = new List<string>();
        string? Describe(string key) => SourceOf(root, key);
        ConfigurationSchema.Check(root, errors, warnings, Describe);
        var options = new AmiPkiOptions();
        if (errors.Count == 0)
        {
            root.GetSection(AmiPkiOptions.Section).Bind(options);
            ConfigurationSchema.Validate(options, AmiPkiOptions.Section, errors, Describe);
            foreach (var (name, type) in ConfigurationSchema.ProtocolSections)
            {
                var section = Activator.CreateInstance(type)!;
                root.GetSection(AmiPkiOptions.Section + ":" + name).Bind(section);
                ConfigurationSchema.Validate(section, AmiPkiOptions.Section + ":" + name, errors, Describe);
            }
        }
        return new AmiPkiConfiguration(root, options, errors, warnings);
    }

    /// <summary>Throws the <see cref="Errors"/> as one line (an <see cref="ArgumentException"/>: <c>amipki: ...</c>, exit 1).</summary>
    public AmiPkiConfiguration ThrowIfInvalid()
    {
        if (Errors.Count > 0)
        {
            throw new ArgumentException("invalid configuration: " + string.Join("; ", Errors));
        }
        return this;
    }

    /// <summary>Where <paramref name="key"/>'s effective value comes from: the last source that has it, or <c>default</c>.</summary>
    public string SourceOf(string key) => SourceOf(Root, key) ?? "default";

    /// <summary>Every setting under <c>AmiPki:</c> with its effective value (secrets redacted) and where it came from.</summary>
    public IEnumerable<(string Key, string Value, string Source)> Effective()
    {
        var entries = ConfigurationSchema.Effective(Options, AmiPkiOptions.Section).ToList();
        foreach (var (name, type) in ConfigurationSchema.ProtocolSections)
        {
            var section = Activator.CreateInstance(type)!;
            Root.GetSection(AmiPkiOptions.Section + ":" + name).Bind(section);
            entries.AddRange(ConfigurationSchema.Effective(section, AmiPkiOptions.Section + ":" + name));
        }
        return entries.Select(e => (e.Key, e.Value, ConfigurationSchema.ServerOwnedKeys.TryGetValue(e.Key, out var instead)
            ? "set by the server from " + instead
            : SourceOf(e.Key)));
    }

    private static string? SourceOf(IConfigurationRoot root, string key)
    {
        foreach (var provider in root.Providers.Reverse())
        {
            if (!provider.TryGet(key, out _))
            {
                continue;
            }
            return provider switch
            {
                IConfigurationSourceDescriber described => described.Describe(key),
                JsonConfigurationProvider json => "appsettings " + (json.Source.FileProvider?.GetFileInfo(json.Source.Path ?? "").PhysicalPath ?? json.Source.Path),
                _ => provider.ToString(),
            };
        }
        return null;
    }
}
