using System.Globalization;

namespace AmiPki.Storage.Sqlite;

/// <summary>
/// How times are stored: ISO-8601 UTC text with seven fractional digits. Fixed width, so comparing the text compares
/// the times (range queries use the indexes), and every .NET tick survives the round trip, which the audit chain
/// needs: its hash covers the event time to the tick.
/// </summary>
internal static class SqliteTime
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static string ToText(DateTimeOffset value) => value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    public static string? ToText(DateTimeOffset? value) => value is { } v ? ToText(v) : null;

    public static DateTimeOffset FromText(string text) =>
        new(DateTime.ParseExact(text, Format, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), TimeSpan.Zero);

    public static DateTimeOffset? FromNullableText(string? text) => text is null ? null : FromText(text);
}
