namespace AmiPki.Core.Revocation;

/// <summary>A serial to revoke, with its issuer when known (null: looked up among every CA this instance serves).</summary>
public sealed record SerialReference(string? Issuer, string SerialHex)
{
    /// <summary>
    /// Parses one line of a revocation list file: <c>SERIAL</c> or <c>ISSUER SERIAL</c> or <c>ISSUER,SERIAL</c>; hex
    /// with optional colons or a 0x prefix. Returns null for blank lines and # comments.
    /// </summary>
    public static SerialReference? ParseLine(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var text = line.Trim();
        var hash = text.IndexOf('#', StringComparison.Ordinal);
        if (hash >= 0)
        {
            text = text[..hash].Trim();
        }
        if (text.Length == 0)
        {
            return null;
        }
        var parts = text.Split([' ', '\t', ',', ';'], StringSplitOptions.RemoveEmptyEntries);
        return parts.Length switch
        {
            1 => new SerialReference(null, NormalizeSerial(parts[0])),
            2 => new SerialReference(parts[0], NormalizeSerial(parts[1])),
            _ => throw new FormatException($"expected 'SERIAL' or 'ISSUER SERIAL', got '{line}'"),
        };
    }

    /// <summary>Upper-case hex without separators, as storage keeps serials (DER INTEGER content octets).</summary>
    public static string NormalizeSerial(string serial)
    {
        ArgumentNullException.ThrowIfNull(serial);
        var text = serial.Trim();
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            text = text[2..];
        }
        text = text.Replace(":", "", StringComparison.Ordinal).ToUpperInvariant();
        if (text.Length == 0 || text.Length > 42 || !text.All(Uri.IsHexDigit))
        {
            throw new FormatException($"'{serial}' is not a hexadecimal serial number");
        }
        // An odd number of digits means a leading zero nibble was dropped (openssl prints serials that way sometimes).
        return text.Length % 2 == 1 ? "0" + text : text;
    }
}
