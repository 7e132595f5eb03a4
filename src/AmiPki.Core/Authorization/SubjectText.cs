namespace AmiPki.Core.Authorization;

/// <summary>
/// The one way subjects given as text (a credential's bound subject, as an admin typed it) are compared with a request's
/// subject as <see cref="Issuance.DistinguishedNameFormatter"/> writes it: spaces around separators dropped, attribute
/// types upper-cased, values compared exactly (RFC 4514 string form).
/// </summary>
public static class SubjectText
{
    public static string Canonical(string distinguishedName)
    {
        ArgumentNullException.ThrowIfNull(distinguishedName);
        var parts = distinguishedName.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return string.Join(",", parts.Select(part =>
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            return equals < 0 ? part : $"{part[..equals].Trim().ToUpperInvariant()}={part[(equals + 1)..].Trim()}";
        }));
    }

    public static bool Same(string a, string b) => string.Equals(Canonical(a), Canonical(b), StringComparison.Ordinal);
}
