using System.Collections;
using Microsoft.Extensions.Configuration;

namespace AmiPki.Server.Configuration;

/// <summary>
/// Environment variables as configuration under <c>AmiPki:</c>: <c>AmiPki__Cmp__ConfirmWaitSeconds</c> and the documented
/// <c>AMIPKI_Cmp__ConfirmWaitSeconds</c> (which wins when both are set) both become <c>AmiPki:Cmp:ConfirmWaitSeconds</c>.
/// The special variables <c>AMIPKI_DATA</c>, <c>AMIPKI_POSTGRES</c> and <c>AMIPKI_KEY_PASSPHRASE</c> map to
/// <c>DataDirectory</c>, <c>Storage:Postgres</c> and <c>KeyPassphrase</c> and win over the spelled-out forms. Other
/// upper-case variables (<c>AMIPKI_PKCS11_PIN</c>, <c>AMIPKI_CMP_SECRET_KEY</c>, ...) are read where they are used, not
/// configuration: they are left out.
/// </summary>
public sealed class AmiPkiEnvironmentConfigurationProvider : ConfigurationProvider, IConfigurationSourceDescriber
{
    public const string DocumentedPrefix = "AMIPKI_";
    public const string HostPrefix = "AmiPki__";

    /// <summary>The special variables that are configuration, by their name after <see cref="DocumentedPrefix"/>.</summary>
    public static IReadOnlyDictionary<string, string> SpecialVariables { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["DATA"] = "DataDirectory",
        ["POSTGRES"] = "Storage:Postgres",
        ["KEY_PASSPHRASE"] = "KeyPassphrase",
    };

    private readonly Func<IDictionary> _variables;
    private readonly Dictionary<string, string> _origins = new(StringComparer.OrdinalIgnoreCase);

    public AmiPkiEnvironmentConfigurationProvider(Func<IDictionary>? variables = null) =>
        _variables = variables ?? Environment.GetEnvironmentVariables;

    public override void Load()
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        _origins.Clear();
        var all = _variables().Cast<DictionaryEntry>()
            .Select(e => (Name: (string)e.Key, Value: e.Value as string))
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .ToList();
        void Set(string key, string name, string? value)
        {
            data[key] = value;
            _origins[key] = name;
        }
        // Least to most specific: AmiPki__…, then AMIPKI_…, then the special variables.
        foreach (var (name, value) in all.Where(e => e.Name.StartsWith(HostPrefix, StringComparison.OrdinalIgnoreCase)))
        {
            Set(AmiPkiOptions.Section + ":" + Normalize(name[HostPrefix.Length..]), name, value);
        }
        foreach (var (name, value) in all.Where(e => e.Name.StartsWith(DocumentedPrefix, StringComparison.Ordinal)
                                                     && !e.Name.StartsWith(HostPrefix, StringComparison.OrdinalIgnoreCase)))
        {
            var rest = name[DocumentedPrefix.Length..];
            if (SpecialVariables.ContainsKey(rest) || IsOtherSpecialVariable(rest))
            {
                continue;
            }
            Set(AmiPkiOptions.Section + ":" + Normalize(rest), name, value);
        }
        foreach (var (rest, key) in SpecialVariables)
        {
            if (all.FirstOrDefault(e => e.Name == DocumentedPrefix + rest) is { Value.Length: > 0 } special)
            {
                Set(AmiPkiOptions.Section + ":" + key, special.Name, special.Value);
            }
        }
        Data = data;
    }

    public string? Describe(string key) => _origins.TryGetValue(key, out var name) ? "environment " + name : null;

    private static string Normalize(string name) => name.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal);

    /// <summary>
    /// <c>AMIPKI_PKCS11_PIN</c>, <c>AMIPKI_CMP_SECRET_KEY</c>, a test's <c>AMIPKI_CLI</c>: an upper-case first segment that
    /// names no setting is a variable read by name elsewhere, not a configuration key.
    /// </summary>
    private static bool IsOtherSpecialVariable(string rest)
    {
        var first = rest.Split("__", 2)[0];
        if (ConfigurationSchema.IsTopLevelKey(first))
        {
            return false;
        }
        return first.Length > 0 && first.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_');
    }
}

/// <summary>Adds <see cref="AmiPkiEnvironmentConfigurationProvider"/>.</summary>
public sealed class AmiPkiEnvironmentConfigurationSource(Func<IDictionary>? variables = null) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new AmiPkiEnvironmentConfigurationProvider(variables);
}

/// <summary>A configuration provider that can say where one of its values came from, for <c>amipki config show</c>.</summary>
public interface IConfigurationSourceDescriber
{
    /// <summary>E.g. <c>environment AMIPKI_Cmp__ConfirmWaitSeconds</c> or <c>command line --data</c>; null when it has no such key.</summary>
    string? Describe(string key);
}

/// <summary>Values given as command-line options, each remembering the option that gave it.</summary>
public sealed class CommandLineValuesProvider : ConfigurationProvider, IConfigurationSourceDescriber
{
    private readonly Dictionary<string, string> _origins = new(StringComparer.OrdinalIgnoreCase);

    public CommandLineValuesProvider(IEnumerable<CommandLineValue> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var value in values.Where(v => v.Value is not null))
        {
            Data[value.Key] = value.Value;
            _origins[value.Key] = value.Option;
        }
    }

    public string? Describe(string key) => _origins.TryGetValue(key, out var option) ? "command line " + option : null;
}

/// <summary>One configuration value from the command line: its key (e.g. <c>AmiPki:HttpPort</c>), the option and the value (null: not given).</summary>
public sealed record CommandLineValue(string Key, string Option, string? Value);

/// <summary>Adds <see cref="CommandLineValuesProvider"/>.</summary>
public sealed class CommandLineValuesSource(IEnumerable<CommandLineValue> values) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new CommandLineValuesProvider(values);
}
