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

    /// <summary>
    /// Reads what <see cref="ToText(DateTimeOffset)"/> wrote. The fixed layout is parsed digit by digit (a full CRL reads a
    /// million of these; ParseExact costs about ten times more); anything else falls back to ParseExact, which names the problem.
    /// </summary>
    public static DateTimeOffset FromText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (TryParseFixed(text, out var value))
        {
            return value;
        }
        return new(DateTime.ParseExact(text, Format, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
            TimeSpan.Zero);
    }

    // yyyy-MM-ddTHH:mm:ss.fffffffZ
    // 0123456789012345678901234567
    private static bool TryParseFixed(string text, out DateTimeOffset value)
    {
        value = default;
        if (text.Length != 28 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':'
            || text[19] != '.' || text[27] != 'Z')
        {
            return false;
        }
        if (!Digits(text, 0, 4, out var year) || !Digits(text, 5, 2, out var month) || !Digits(text, 8, 2, out var day)
            || !Digits(text, 11, 2, out var hour) || !Digits(text, 14, 2, out var minute) || !Digits(text, 17, 2, out var second)
            || !Digits(text, 20, 7, out var fraction)
            || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }
        var ticks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).Ticks + fraction;
        value = new DateTimeOffset(ticks, TimeSpan.Zero);
        return true;
    }

    private static bool Digits(string text, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            var digit = text[i] - '0';
            if ((uint)digit > 9)
            {
                return false;
            }
            value = value * 10 + digit;
        }
        return true;
    }

    public static DateTimeOffset? FromNullableText(string? text) => text is null ? null : FromText(text);
}
