using System.Collections;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using AmiPki.Protocols.Cmp;
using AmiPki.Protocols.Est;
using AmiPki.Protocols.EstCoaps;
using AmiPki.Protocols.Scep;
using Microsoft.Extensions.Configuration;

namespace AmiPki.Server.Configuration;

/// <summary>
/// What may be configured under <c>AmiPki:</c>: the properties of <see cref="AmiPkiOptions"/> and the protocol sections
/// bound by the web host (<c>Est</c>, <c>EstCoaps</c>, <c>Cmp</c>, <c>Scep</c>). Finds unknown keys (with the nearest known
/// one), values that do not convert, values outside their <see cref="RangeAttribute"/>, and lists the effective values.
/// </summary>
public static partial class ConfigurationSchema
{
    /// <summary>The sections the protocol registrations (<c>services.AddEst()</c>, ...) bind themselves, by key under <c>AmiPki</c>.</summary>
    public static IReadOnlyDictionary<string, Type> ProtocolSections { get; } = new Dictionary<string, Type>(StringComparer.OrdinalIgnoreCase)
    {
        ["Est"] = typeof(EstOptions),
        ["EstCoaps"] = typeof(EstCoapsOptions),
        ["Cmp"] = typeof(CmpOptions),
        ["Scep"] = typeof(ScepOptions),
    };

    /// <summary>Keys the server sets itself, whatever the configuration says, and what to set instead.</summary>
    public static IReadOnlyDictionary<string, string> ServerOwnedKeys { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["AmiPki:EstCoaps:ListenAddress"] = "AmiPki:ListenAddress",
        ["AmiPki:EstCoaps:Port"] = "AmiPki:CoapsPort",
        ["AmiPki:EstCoaps:DataDirectory"] = "AmiPki:DataDirectory",
        ["AmiPki:Est:ManufacturerAnchorDirectory"] = "the data directory's trust/manufacturers",
        ["AmiPki:Ocsp:MaintainInBackground"] = "AmiPki:Jobs:Enabled",
        ["AmiPki:Crl:RefreshInBackground"] = "AmiPki:Jobs:Enabled",
    };

    public static bool IsTopLevelKey(string name) =>
        ProtocolSections.ContainsKey(name) || Settable(typeof(AmiPkiOptions)).Any(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Unknown keys and values that do not convert to their setting's type, in the order found.</summary>
    public static void Check(IConfiguration configuration, List<string> errors, List<string> warnings, Func<string, string?> describe)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var root = configuration.GetSection(AmiPkiOptions.Section);
        var topLevel = Settable(typeof(AmiPkiOptions)).ToDictionary(p => p.Name, p => p.PropertyType, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, type) in ProtocolSections)
        {
            topLevel[name] = type;
        }
        CheckChildren(root, topLevel, errors, warnings, describe);
    }

    /// <summary>Every property with a <see cref="RangeAttribute"/> outside its range, as <c>AmiPki:Cmp:ConfirmWaitSeconds must be at least 1, not 0</c>.</summary>
    public static void Validate(object options, string path, List<string> errors, Func<string, string?> describe)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var property in Settable(options.GetType()))
        {
            var key = path + ConfigurationPath.KeyDelimiter + property.Name;
            var value = property.GetValue(options);
            if (property.GetCustomAttribute<RangeAttribute>() is { } range && !range.IsValid(value))
            {
                var from = describe(key) is { } origin ? $" ({origin})" : "";
                errors.Add($"{key} {RangeText(range)}, not {Format(value)}{from}");
            }
            else if (value is not null && IsSection(property.PropertyType))
            {
                Validate(value, key, errors, describe);
            }
        }
    }

    /// <summary>The effective value of every setting of <paramref name="options"/>, depth first, as (key, text) pairs; secrets redacted.</summary>
    public static IEnumerable<(string Key, string Value)> Effective(object? options, string path, bool secret = false)
    {
        if (options is null)
        {
            yield return (path, "(unset)");
            yield break;
        }
        var type = options.GetType();
        if (IsScalar(type))
        {
            yield return (path, secret ? "(redacted)" : Redact(path, Format(options)));
            yield break;
        }
        if (options is IDictionary dictionary)
        {
            if (dictionary.Count == 0)
            {
                yield return (path, "(none)");
            }
            foreach (DictionaryEntry entry in dictionary)
            {
                foreach (var item in Effective(entry.Value, path + ":" + entry.Key, secret))
                {
                    yield return item;
                }
            }
            yield break;
        }
        if (options is IEnumerable list)
        {
            var index = 0;
            foreach (var element in list)
            {
                foreach (var item in Effective(element, path + ":" + index.ToString(CultureInfo.InvariantCulture), secret))
                {
                    yield return item;
                }
                index++;
            }
            if (index == 0)
            {
                yield return (path, "(none)");
            }
            yield break;
        }
        foreach (var property in Settable(type))
        {
            foreach (var item in Effective(property.GetValue(options), path + ":" + property.Name, secret || IsSecret(property.Name)))
            {
                yield return item;
            }
        }
    }

    /// <summary>Passphrases, PINs, secrets, passwords and SCEP challenges are never shown.</summary>
    public static bool IsSecret(string name) => SecretName().IsMatch(name);

    [GeneratedRegex("(Passphrase|Secret|Password|Pin|Challenges)$", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    [GeneratedRegex(@"(?i)(password|pwd)\s*=\s*[^;]*")]
    private static partial Regex ConnectionStringPassword();

    private static string Redact(string path, string text)
    {
        if (path.EndsWith(":Postgres", StringComparison.OrdinalIgnoreCase))
        {
            return ConnectionStringPassword().Replace(text, "$1=(redacted)");
        }
        // A URL's user information (https://user:password@host/) is a credential too.
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0)
        {
            return text.Replace(uri.UserInfo + "@", "(redacted)@", StringComparison.Ordinal);
        }
        return text;
    }

    private static void CheckChildren(IConfigurationSection section, Dictionary<string, Type> known, List<string> errors, List<string> warnings,
        Func<string, string?> describe)
    {
        foreach (var child in section.GetChildren())
        {
            if (known.TryGetValue(child.Key, out var type))
            {
                CheckValue(child, type, errors, warnings, describe);
                continue;
            }
            var nearest = Nearest(child.Key, known.Keys);
            foreach (var leaf in Leaves(child))
            {
                var from = describe(leaf.Path) is { } origin ? $" ({origin})" : "";
                var suggestion = nearest is null ? "" : $"; did you mean {ConfigurationPath.Combine(section.Path, nearest)}{leaf.Path[child.Path.Length..]}?";
                warnings.Add($"unknown setting {leaf.Path}{from} is ignored{suggestion}");
            }
        }
    }

    private static void CheckValue(IConfigurationSection section, Type type, List<string> errors, List<string> warnings, Func<string, string?> describe)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (ServerOwnedKeys.TryGetValue(section.Path, out var instead))
        {
            warnings.Add($"setting {section.Path} is set by the server and ignored; use {instead}");
            return;
        }
        if (IsScalar(target))
        {
            if (section.Value is { } value && !Converts(value, target))
            {
                var from = describe(section.Path) is { } origin ? $" ({origin})" : "";
                errors.Add($"{section.Path} must be {Describe(target)}, not '{value}'{from}");
            }
            foreach (var leaf in section.GetChildren().SelectMany(Leaves))
            {
                warnings.Add($"unknown setting {leaf.Path} is ignored; {section.Path} is a single value");
            }
            return;
        }
        var dictionaryValue = target.GetInterfaces().Append(target)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>))?.GetGenericArguments()[1];
        if (dictionaryValue is not null)
        {
            foreach (var child in section.GetChildren())
            {
                CheckValue(child, dictionaryValue, errors, warnings, describe);
            }
            return;
        }
        var element = target.IsArray ? target.GetElementType() : target.GetInterfaces().Append(target)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
        if (element is not null)
        {
            foreach (var child in section.GetChildren())
            {
                if (!int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    warnings.Add($"unknown setting {child.Path} is ignored; {section.Path} is a list (keys 0, 1, ...)");
                    continue;
                }
                CheckValue(child, element, errors, warnings, describe);
            }
            return;
        }
        CheckChildren(section, Settable(target).ToDictionary(p => p.Name, p => p.PropertyType, StringComparer.OrdinalIgnoreCase), errors, warnings, describe);
    }

    private static IEnumerable<IConfigurationSection> Leaves(IConfigurationSection section)
    {
        var children = section.GetChildren().ToList();
        return children.Count == 0 ? [section] : children.SelectMany(Leaves);
    }

    /// <summary>What the binder sets: public properties with a setter, or collections it fills in place.</summary>
    private static IEnumerable<PropertyInfo> Settable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.GetMethod is not null
                        && (p.SetMethod is { IsPublic: true } || (!IsScalar(p.PropertyType) && typeof(IEnumerable).IsAssignableFrom(p.PropertyType))));

    private static bool IsSection(Type type) => type.IsClass && !IsScalar(type) && !typeof(IEnumerable).IsAssignableFrom(type);

    private static bool IsScalar(Type type)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        return target.IsPrimitive || target.IsEnum || target == typeof(string) || target == typeof(decimal) || target == typeof(TimeSpan)
               || target == typeof(DateTimeOffset) || target == typeof(DateTime) || target == typeof(Uri) || target == typeof(Guid);
    }

    private static bool Converts(string value, Type type)
    {
        if (type == typeof(string))
        {
            return true;
        }
        try
        {
            _ = TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value);
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException or OverflowException
                                      or InvalidOperationException)
        {
            return false;
        }
    }

    private static string Describe(Type type) => type switch
    {
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(int) || type == typeof(long) => "a whole number",
        _ when type == typeof(double) || type == typeof(decimal) => "a number",
        _ when type == typeof(TimeSpan) => "a duration such as 00:05:00 (d.hh:mm:ss)",
        _ when type.IsEnum => "one of " + string.Join(", ", Enum.GetNames(type)),
        _ => "a " + type.Name,
    };

    private static string RangeText(RangeAttribute range)
    {
        var min = Format(range.Minimum);
        var max = Format(range.Maximum);
        var unbounded = max is "2147483647" or "9223372036854775807" or "10675199.02:48:05.4775807" || max == Format(double.MaxValue);
        return unbounded ? $"must be at least {min}" : $"must be between {min} and {max}";
    }

    private static string Format(object? value) => value switch
    {
        null => "(unset)",
        bool b => b ? "true" : "false",
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string? Nearest(string key, IEnumerable<string> candidates)
    {
        var best = candidates.Select(c => (Candidate: c, Distance: Distance(key.ToUpperInvariant(), c.ToUpperInvariant())))
            .OrderBy(c => c.Distance).FirstOrDefault();
        return best.Candidate is not null && best.Distance <= Math.Max(2, key.Length / 3) ? best.Candidate : null;
    }

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            previous = current;
        }
        return previous[b.Length];
    }
}
