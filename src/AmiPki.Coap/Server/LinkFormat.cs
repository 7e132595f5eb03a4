using System.Globalization;
using System.Text;

namespace AmiPki.Coap.Server;

/// <summary>
/// Builds the /.well-known/core document (RFC 6690 §5) and applies its query filter (§4.1): one
/// "attribute=value" per Uri-Query, all of which must match; a value ending in '*' is a prefix match;
/// "href" filters on the path; space-separated attribute values (rt, if, ct) match if any one does.
/// </summary>
public static class LinkFormat
{
    public static string Build(IEnumerable<KeyValuePair<string, CoapResourceDescription>> resources, IReadOnlyList<string> queries)
    {
        var links = resources
            .Where(resource => !resource.Value.Hidden && queries.All(query => Matches(resource.Key, resource.Value, query)))
            .OrderBy(resource => resource.Key, StringComparer.Ordinal)
            .Select(resource => FormatLink(resource.Key, resource.Value));
        return string.Join(",", links);
    }

    public static string FormatLink(string path, CoapResourceDescription description)
    {
        var link = new StringBuilder().Append('<').Append(path).Append('>');
        AppendQuoted(link, "rt", description.ResourceTypes);
        AppendQuoted(link, "if", description.Interfaces);
        if (description.ContentFormats.Count == 1)
        {
            link.Append(CultureInfo.InvariantCulture, $";ct={description.ContentFormats[0]}");
        }
        else if (description.ContentFormats.Count > 1)
        {
            // Several values go in one quoted, space-separated attribute (RFC 7252 §7.2.1).
            link.Append(";ct=\"").AppendJoin(' ', description.ContentFormats).Append('"');
        }

        if (description.Title is { } title)
        {
            link.Append(";title=\"").Append(title.Replace("\"", "'", StringComparison.Ordinal)).Append('"');
        }

        return link.ToString();
    }

    private static void AppendQuoted(StringBuilder link, string name, IReadOnlyList<string> values)
    {
        if (values.Count > 0)
        {
            link.Append(';').Append(name).Append("=\"").AppendJoin(' ', values).Append('"');
        }
    }

    private static bool Matches(string path, CoapResourceDescription description, string query)
    {
        int equals = query.IndexOf('=', StringComparison.Ordinal);
        if (equals < 0)
        {
            // Not a filter (RFC 6690 §4.1 defines only name=value filters): ignore it.
            return true;
        }

        string name = query[..equals];
        string pattern = query[(equals + 1)..];
        IEnumerable<string> candidates = name switch
        {
            "href" => [path],
            "rt" => description.ResourceTypes,
            "if" => description.Interfaces,
            "ct" => description.ContentFormats.Select(format => format.ToString(CultureInfo.InvariantCulture)),
            "title" => description.Title is null ? [] : [description.Title],
            _ => [],
        };
        return candidates.Any(candidate => ValueMatches(candidate, pattern));
    }

    private static bool ValueMatches(string value, string pattern) =>
        pattern.EndsWith('*')
            ? value.StartsWith(pattern[..^1], StringComparison.Ordinal)
            : string.Equals(value, pattern, StringComparison.Ordinal);
}
