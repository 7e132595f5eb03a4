using AmiPki.Core.Policy;
using AmiPki.Core.Validation;

namespace AmiPki.Core.Devices;

/// <summary>
/// A manufacturer manifest: CSV with the header <c>system_title,idevid_sha256,idevid_serial,manufacturer,lot,dcu,kind</c>
/// (<see cref="Header"/>), where kind is one of <see cref="DeviceKinds.All"/> (trimmed, lower-cased). The six-column
/// <see cref="LegacyHeader"/> without kind is still read: its devices are meters, as the first manifests were.
/// Every line is checked before anything is written (so a bad file changes nothing); the first bad line is named.
/// Read by <c>amipki devices import</c> and by the admin API's device import alike.
/// </summary>
public static class DeviceManifest
{
    public const string Header = "system_title,idevid_sha256,idevid_serial,manufacturer,lot,dcu,kind";

    /// <summary>The header before devices had a kind: every device of such a manifest is a <see cref="DeviceKinds.Meter"/>.</summary>
    public const string LegacyHeader = "system_title,idevid_sha256,idevid_serial,manufacturer,lot,dcu";

    public const string MediaType = "text/csv";
    private const int MaxLines = 10_000_000;

    public static IReadOnlyList<DeviceRecord> ParseFile(string path, DateTimeOffset importedAt)
    {
        using var reader = new StreamReader(path);
        return Parse(reader, path, importedAt);
    }

    /// <param name="source">How errors name the input: a file path, or <c>body</c> for an upload.</param>
    /// <exception cref="InvalidInputException">The first bad line, with its number (<see cref="InvalidInputException.Field"/> is <c>line N</c>).</exception>
    public static IReadOnlyList<DeviceRecord> Parse(TextReader reader, string source, DateTimeOffset importedAt)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var devices = new List<DeviceRecord>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lineNumber = 0;
        var withKind = true;
        while (reader.ReadLine() is { } rawLine)
        {
            lineNumber++;
            var line = rawLine.Trim();
            if (lineNumber == 1)
            {
                var header = line.TrimStart('\uFEFF').Replace(" ", "", StringComparison.Ordinal);
                if (string.Equals(header, LegacyHeader, StringComparison.OrdinalIgnoreCase))
                {
                    withKind = false;
                }
                else if (!string.Equals(header, Header, StringComparison.OrdinalIgnoreCase))
                {
                    throw Bad(source, 1, $"the header must be '{Header}' (or, for a manifest of meters only, '{LegacyHeader}')");
                }
                continue;
            }
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            if (lineNumber > MaxLines)
            {
                throw new InvalidInputException(source, $"{source}: more than {MaxLines} lines");
            }
            devices.Add(ParseLine(line, withKind, source, lineNumber, seen, importedAt));
        }
        if (lineNumber == 0)
        {
            throw new InvalidInputException(source, $"{source}: empty (expected the header '{Header}')");
        }
        return devices;
    }

    private static DeviceRecord ParseLine(string line, bool withKind, string source, int lineNumber, HashSet<string> seen, DateTimeOffset importedAt)
    {
        var fields = line.Split(',');
        var expected = withKind ? 7 : 6;
        if (fields.Length != expected)
        {
            throw Bad(source, lineNumber, $"expected {expected} fields, found {fields.Length}");
        }
        var systemTitle = fields[0].Trim().ToUpperInvariant();
        if (!SubjectNameRule.IsSystemTitle(systemTitle))
        {
            throw Bad(source, lineNumber, $"system_title '{fields[0]}' is not a system title (16 hex digits)");
        }
        if (!seen.Add(systemTitle))
        {
            throw Bad(source, lineNumber, $"system title {systemTitle} appears twice");
        }
        var fingerprint = Optional(fields[1])?.Replace(":", "", StringComparison.Ordinal).ToUpperInvariant();
        if (fingerprint is not null && (fingerprint.Length != 64 || !fingerprint.All(char.IsAsciiHexDigit)))
        {
            throw Bad(source, lineNumber, "idevid_sha256 must be 64 hex digits");
        }
        var manufacturer = fields[3].Trim();
        if (manufacturer.Length == 0)
        {
            throw Bad(source, lineNumber, "manufacturer is empty");
        }
        var kind = withKind ? fields[6].Trim().ToLowerInvariant() : DeviceKinds.Meter;
        if (!DeviceKinds.All.Contains(kind))
        {
            // An empty kind is refused too: taking it for a meter could give a DCU's factory certificate a meter's rights.
            throw Bad(source, lineNumber, $"kind '{fields[6].Trim()}' is not a device kind (one of {ValidKinds})");
        }
        return new DeviceRecord(systemTitle, fingerprint, Optional(fields[2]), manufacturer, Optional(fields[4]), Optional(fields[5]), importedAt, kind);
    }

    private static string ValidKinds => string.Join(", ", DeviceKinds.All.Order(StringComparer.Ordinal));

    private static InvalidInputException Bad(string source, int line, string reason) => new($"line {line}", $"{source}:{line}: {reason}");

    private static string? Optional(string field) => field.Trim() is { Length: > 0 } value ? value : null;
}
