namespace AmiPki.Protocols.Ocsp;

/// <summary>
/// Decodes the path of an RFC 5019 §5 GET (<c>{url}/{url-encoding of base64 of the DER request}</c>) from the raw
/// request target, before any server-side path normalisation could touch it. Tolerated, as real clients send them:
/// percent-escapes (%2B %2F %3D), raw <c>+</c> and <c>/</c> (so <c>//</c> inside the base64), extra slashes after
/// <c>/ocsp</c>, missing padding and base64url.
/// </summary>
public static class OcspGetRequestDecoder
{
    /// <summary>The DER request, or null when the path is not base64 of anything.</summary>
    public static byte[]? Decode(string rawTarget, string prefix, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(rawTarget);
        ArgumentNullException.ThrowIfNull(prefix);
        var query = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var path = query >= 0 ? rawTarget[..query] : rawTarget;
        // An absolute-form target (proxies): keep the path only.
        if (path.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || path.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            var slash = path.IndexOf('/', path.IndexOf("//", StringComparison.Ordinal) + 2);
            path = slash >= 0 ? path[slash..] : "/";
        }
        var start = path.IndexOf(prefix, StringComparison.OrdinalIgnoreCase);
        if (start < 0)
        {
            return null;
        }
        var encoded = path[(start + prefix.Length)..];
        if (encoded.Length == 0 || encoded.Length > maxLength)
        {
            return null;
        }
        string text;
        try
        {
            // UnescapeDataString leaves '+' alone: in a path it is a literal '+', as base64 needs.
            text = Uri.UnescapeDataString(encoded);
        }
        catch (UriFormatException)
        {
            return null;
        }
        // Base64 of a DER SEQUENCE starts with 'M': leading slashes come from a base URL ending in '/'.
        text = text.TrimStart('/').Replace('-', '+').Replace('_', '/');
        var builder = new System.Text.StringBuilder(text.Length + 3);
        foreach (var c in text)
        {
            if (!char.IsWhiteSpace(c))
            {
                builder.Append(c);
            }
        }
        while (builder.Length % 4 != 0)
        {
            builder.Append('=');
        }
        var buffer = new byte[builder.Length / 4 * 3];
        return Convert.TryFromBase64String(builder.ToString(), buffer, out var written) ? buffer[..written] : null;
    }
}
