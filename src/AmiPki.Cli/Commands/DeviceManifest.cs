using AmiPki.Core.Devices;
using AmiPki.Core.Policy;

namespace AmiPki.Cli.Commands;

/// <summary>
/// A manufacturer manifest: CSV with the header
/// <c>system_title,idevid_sha256,idevid_serial,manufacturer,lot,dcu</c>. Every line is checked before anything is
/// written; the first bad line is named.
/// </summary>
public static class DeviceManifest
{
    public const string Header = "system_title,idevid_sha256,idevid_serial,manufacturer,lot,dcu";
    private const int MaxLines = 10_000_000;

    public static IReadOnlyList<DeviceRecord> Parse(string path, DateTimeOffset importedAt)
    {
        var devices = new List<DeviceRecord>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var rawLine in File.ReadLines(path))
        {
            lineNumber++;
            var line = rawLine.Trim();
            if (lineNumber == 1)
            {
                if (!string.Equals(line.Replace(" ", "", StringComparison.Ordinal), Header, StringComparison.OrdinalIgnoreCase))
                {
                    throw new FormatException($"{path}:1: the header must be '{Header}'");
                }
                continue;
            }
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            if (lineNumber > MaxLines)
            {
                throw new FormatException($"{path}: more than {MaxLines} lines");
            }
            var fields = line.Split(',');
            if (fields.Length != 6)
            {
                throw new FormatException($"{path}:{lineNumber}: expected 6 fields, found {fields.Length}");
            }
            var systemTitle = fields[0].Trim().ToUpperInvariant();
            if (!SubjectNameRule.IsSystemTitle(systemTitle))
            {
                throw new FormatException($"{path}:{lineNumber}: '{fields[0]}' is not a system title (16 hex digits)");
            }
            if (!seen.Add(systemTitle))
            {
                throw new FormatException($"{path}:{lineNumber}: system title {systemTitle} appears twice");
            }
            var fingerprint = Optional(fields[1])?.Replace(":", "", StringComparison.Ordinal).ToUpperInvariant();
            if (fingerprint is not null && (fingerprint.Length != 64 || !fingerprint.All(char.IsAsciiHexDigit)))
            {
                throw new FormatException($"{path}:{lineNumber}: idevid_sha256 must be 64 hex digits");
            }
            var manufacturer = fields[3].Trim();
            if (manufacturer.Length == 0)
            {
                throw new FormatException($"{path}:{lineNumber}: manufacturer is empty");
            }
            devices.Add(new DeviceRecord(systemTitle, fingerprint, Optional(fields[2]), manufacturer, Optional(fields[4]), Optional(fields[5]), importedAt));
        }
        if (lineNumber == 0)
        {
            throw new FormatException($"{path}: empty file (expected the header '{Header}')");
        }
        return devices;
    }

    private static string? Optional(string field) => field.Trim() is { Length: > 0 } value ? value : null;
}
