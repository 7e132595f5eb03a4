using System.Globalization;

namespace AmiPki.Server.Admin;

/// <summary>Lifetimes as admins type them on the command line and in the admin API: <c>30m</c>, <c>12h</c>, <c>7d</c>, <c>1.5d</c>.</summary>
public static class DurationText
{
    /// <summary>Ten years: a credential living longer is a mistake, not a plan.</summary>
    public static readonly TimeSpan Maximum = TimeSpan.FromDays(3660);

    public const string Expected = "a positive duration such as 30m, 12h or 7d (at most 3660d)";

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text) || text.Length < 2
            || !double.TryParse(text[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) || amount <= 0)
        {
            return false;
        }
        duration = char.ToLowerInvariant(text[^1]) switch
        {
            'm' => TimeSpan.FromMinutes(amount),
            'h' => TimeSpan.FromHours(amount),
            'd' => TimeSpan.FromDays(amount),
            _ => TimeSpan.Zero,
        };
        return duration > TimeSpan.Zero && duration <= Maximum;
    }
}
