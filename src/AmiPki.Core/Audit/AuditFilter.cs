namespace AmiPki.Core.Audit;

/// <summary>
/// Which audit events a search wants, with the admin API's semantics (<c>GET /api/v1/audit</c>): kind and outcome exact,
/// actor a case-insensitive substring, since/until inclusive. <see cref="Serial"/> matches events whose detail names
/// the serial as a <c>serial=HEX</c> word, case-insensitively and ignoring leading zeros, colons and a <c>0x</c> prefix.
/// Null means "any". Read-only: it only decides, it never touches storage.
/// </summary>
public sealed record AuditFilter(
    string? Kind = null,
    string? Actor = null,
    string? Outcome = null,
    string? Serial = null,
    DateTimeOffset? Since = null,
    DateTimeOffset? Until = null)
{
    private const string SerialKey = "serial=";

    public bool Matches(AuditEvent auditEvent)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        return (Kind is null || string.Equals(auditEvent.Kind, Kind, StringComparison.Ordinal))
               && (Outcome is null || string.Equals(auditEvent.Outcome, Outcome, StringComparison.Ordinal))
               && (Actor is null || auditEvent.Actor.Contains(Actor, StringComparison.OrdinalIgnoreCase))
               && (Since is not { } since || auditEvent.At >= since)
               && (Until is not { } until || auditEvent.At <= until)
               && (Serial is null || NamesSerial(auditEvent.Detail, Serial));
    }

    /// <summary>True when <paramref name="serial"/> is hexadecimal (optionally with <c>0x</c> and colons) and not empty.</summary>
    public static bool IsHexSerial(string serial)
    {
        ArgumentNullException.ThrowIfNull(serial);
        var normalized = Normalize(serial);
        return normalized.Length > 0 && normalized.All(Uri.IsHexDigit);
    }

    /// <summary>Whether <paramref name="detail"/> has a word <c>serial=X</c> with X the same hex number as <paramref name="serial"/>.</summary>
    public static bool NamesSerial(string detail, string serial)
    {
        ArgumentNullException.ThrowIfNull(detail);
        ArgumentNullException.ThrowIfNull(serial);
        var wanted = Normalize(serial);
        foreach (var word in detail.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            if (word.StartsWith(SerialKey, StringComparison.OrdinalIgnoreCase)
                && string.Equals(Normalize(word[SerialKey.Length..]), wanted, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    private static string Normalize(string hex)
    {
        var s = hex.Trim().Replace(":", "", StringComparison.Ordinal);
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            s = s[2..];
        }
        var trimmed = s.TrimStart('0');
        return trimmed.Length == 0 && s.Length > 0 ? "0" : trimmed;
    }
}
