using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.CommandLine;
using System.Text.RegularExpressions;

namespace AmiPki.Cli.Commands;

/// <summary>
/// Reports command-line parse errors without echoing anything the user typed that could be a secret: System.CommandLine's
/// own texts quote every unrecognized token (<c>Unrecognized command or argument '1234secret'</c>, a PIN typed after a
/// misspelt option) and every value it could not convert. Here only option and command names of the tree, or tokens shaped
/// like an option name, are named; values never are.
/// </summary>
public static partial class ParseErrors
{
    /// <summary>Writes one line per problem on stderr and returns exit code 2 when <paramref name="parseResult"/> failed to parse; null otherwise.</summary>
    public static int? Report(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        if (parseResult.Errors.Count == 0 || parseResult.Action is not ParseErrorAction)
        {
            return null;
        }
        var help = $"run {CommandPath(parseResult.CommandResult.Command)} --help";
        foreach (var line in Lines(parseResult))
        {
            Console.Error.WriteLine($"amipki: {line} ({help})");
        }
        return 2;
    }

    /// <summary>The lines <see cref="Report"/> writes, without the prefix and the help hint.</summary>
    public static IReadOnlyList<string> Lines(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var lines = new List<string>();
        var unmatched = parseResult.UnmatchedTokens;
        var hiddenValues = 0;
        foreach (var token in unmatched)
        {
            if (OptionName(token) is { } name)
            {
                lines.Add($"unrecognized option '{name}'");
            }
            else if (token.StartsWith('-'))
            {
                lines.Add("an unrecognized option (not shown)");
            }
            else
            {
                hiddenValues++;
            }
        }
        if (hiddenValues > 0)
        {
            lines.Add(hiddenValues == 1
                ? "1 unexpected argument (not shown: it may be a secret)"
                : $"{hiddenValues} unexpected arguments (not shown: they may be secrets)");
        }
        var known = KnownNames(parseResult.RootCommandResult.Command);
        foreach (var error in parseResult.Errors)
        {
            if (unmatched.Any(token => error.Message.Contains($"'{token}'", StringComparison.Ordinal)))
            {
                continue; // reported above, without the token
            }
            lines.Add(Describe(error, known));
        }
        return lines.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>A token shaped like an option name (<c>--pkcs11-pin-source</c>, <c>-x</c>), cut at '=' or ':'; null otherwise.</summary>
    public static string? OptionName(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var name = token.Split('=', ':')[0];
        return OptionShape().IsMatch(name) ? name : null;
    }

    private static string Describe(ParseError error, HashSet<string> known)
    {
        var (symbol, valueType) = error.SymbolResult switch
        {
            OptionResult option => ($"option '{option.Option.Name}'", option.Option.ValueType),
            ArgumentResult argument => ($"argument '{argument.Argument.Name}'", argument.Argument.ValueType),
            _ => ((string?)null, (Type?)null),
        };
        // A value that did not convert: the message quotes the value and a .NET type name; say what was expected instead.
        if (symbol is not null && valueType is not null && error.Message.Contains("System.", StringComparison.Ordinal))
        {
            return $"{symbol} expects {Expected(valueType)} (the value given is not shown)";
        }
        // Anything else (a missing required option, too many values): keep the names of the tree, hide every other quoted text.
        return Quoted().Replace(error.Message, match => known.Contains(match.Groups[1].Value) ? match.Value : "(not shown)").TrimEnd('.');
    }

    /// <summary>What a value of <paramref name="type"/> looks like, for people.</summary>
    public static string Expected(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsArray)
        {
            return Expected(type.GetElementType()!) + " (one or more)";
        }
        return type switch
        {
            _ when type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(uint) => "a whole number",
            _ when type == typeof(double) || type == typeof(decimal) || type == typeof(float) => "a number",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => "a date and time (ISO 8601, e.g. 2030-01-31T00:00:00Z)",
            _ when type == typeof(TimeSpan) => "a duration (e.g. 30.00:00:00)",
            _ when type == typeof(FileInfo) || type == typeof(DirectoryInfo) => "a path",
            _ when type.IsEnum => "one of " + string.Join(", ", Enum.GetNames(type)),
            _ => "text",
        };
    }

    private static string CommandPath(Command command)
    {
        var names = new List<string>();
        for (Symbol? symbol = command; symbol is Command current; symbol = current.Parents.FirstOrDefault())
        {
            names.Add(current is RootCommand ? "amipki" : current.Name);
        }
        if (names.Count == 0 || names[^1] != "amipki")
        {
            names.Add("amipki");
        }
        names.Reverse();
        return string.Join(' ', names);
    }

    private static HashSet<string> KnownNames(Command root)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        void Walk(Command command)
        {
            names.Add(command.Name);
            foreach (var alias in command.Aliases)
            {
                names.Add(alias);
            }
            foreach (var option in command.Options)
            {
                names.Add(option.Name);
                foreach (var alias in option.Aliases)
                {
                    names.Add(alias);
                }
            }
            foreach (var argument in command.Arguments)
            {
                names.Add(argument.Name);
            }
            foreach (var sub in command.Subcommands)
            {
                Walk(sub);
            }
        }
        Walk(root);
        return names;
    }

    [GeneratedRegex("^--?[A-Za-z][A-Za-z0-9-]{0,40}$")]
    private static partial Regex OptionShape();

    [GeneratedRegex("'([^']*)'")]
    private static partial Regex Quoted();
}
