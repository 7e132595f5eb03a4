using System.Text;

namespace AmiPki.Keys.Pkcs11;

/// <summary>
/// A PKCS#11 URI (RFC 7512) naming one key: <c>pkcs11:token=amipki-online;object=issuing-s1;id=%01%02</c>.
/// Only the path attributes a key reference needs are understood: <c>token</c>, <c>object</c>,
/// <c>id</c> and <c>type</c>. Anything else is refused rather than ignored, because silently dropping
/// a constraint such as <c>serial=</c> could select a different key than the writer meant.
/// </summary>
public sealed class Pkcs11Uri
{
    private const string Scheme = "pkcs11:";

    /// <param name="id">CKA_ID bytes (copied), or null for none; an empty array is an empty CKA_ID.</param>
    public Pkcs11Uri(string? token, string? @object, byte[]? id, string? type = null)
    {
        if (@object is null && id is null)
        {
            throw new ArgumentException("a key reference needs an object label or an id");
        }
        Token = token;
        Object = @object;
        // A byte[] parameter rather than ReadOnlyMemory<byte>?: a null array converts to an empty but
        // present ReadOnlyMemory through its implicit operator, which would silently mean "id=".
        Id = id is null ? default(ReadOnlyMemory<byte>?) : new ReadOnlyMemory<byte>([.. id]);
        Type = type;
    }

    /// <summary>The token label (CK_TOKEN_INFO.label), RFC 7512 §2.3 <c>token</c>.</summary>
    public string? Token { get; }

    /// <summary>The object label (CKA_LABEL), RFC 7512 §2.3 <c>object</c>.</summary>
    public string? Object { get; }

    /// <summary>The object identifier (CKA_ID), RFC 7512 §2.3 <c>id</c>.</summary>
    public ReadOnlyMemory<byte>? Id { get; }

    /// <summary>RFC 7512 §2.3 <c>type</c>: <c>private</c>, <c>public</c>, <c>cert</c>, ...; null when absent.</summary>
    public string? Type { get; }

    /// <summary>Parses a key reference; <see cref="FormatException"/> says what is wrong with it.</summary>
    public static Pkcs11Uri Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        // RFC 3986 §3.1: scheme names are case-insensitive.
        if (!text.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            throw new FormatException($"'{text}' is not a PKCS#11 URI: it must start with '{Scheme}' (RFC 7512 §2.3)");
        }
        var rest = text[Scheme.Length..];
        if (rest.Contains('?', StringComparison.Ordinal))
        {
            // RFC 7512 §2.3 query attributes (pin-value, pin-source, module-path) come from configuration
            // here: a PIN in a key reference would end up in logs and the database.
            throw new FormatException($"PKCS#11 URI '{text}': query attributes are not accepted; the module and PIN come from the key provider configuration");
        }
        string? token = null, label = null, type = null;
        byte[]? id = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var part in rest.Split(';'))
        {
            if (part.Length == 0)
            {
                continue;
            }
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new FormatException($"PKCS#11 URI '{text}': '{part}' is not an attribute=value pair");
            }
            var name = part[..equals];
            var value = part[(equals + 1)..];
            // RFC 7512 §2.3: "an attribute ... MUST NOT appear more than once".
            if (!seen.Add(name))
            {
                throw new FormatException($"PKCS#11 URI '{text}': attribute '{name}' appears more than once");
            }
            switch (name)
            {
                case "token":
                    token = DecodeText(text, name, value);
                    break;
                case "object":
                    label = DecodeText(text, name, value);
                    break;
                case "id":
                    id = PercentDecode(text, name, value);
                    break;
                case "type":
                    type = DecodeText(text, name, value);
                    break;
                default:
                    throw new FormatException($"PKCS#11 URI '{text}': attribute '{name}' is not supported (only token, object, id, type)");
            }
        }
        if (label is null && id is null)
        {
            throw new FormatException($"PKCS#11 URI '{text}': names no key; give 'object' or 'id'");
        }
        return new Pkcs11Uri(token, label, id, type);
    }

    public static bool TryParse(string text, out Pkcs11Uri? uri)
    {
        try
        {
            uri = Parse(text);
            return true;
        }
        catch (FormatException)
        {
            uri = null;
            return false;
        }
    }

    /// <summary>
    /// The canonical text: attributes in the order token, object, id, type; text values percent-encoded
    /// except RFC 3986 unreserved characters (always valid in a pk11-path); every id byte percent-encoded,
    /// as RFC 7512 §2.3 recommends for binary values.
    /// </summary>
    public override string ToString()
    {
        var parts = new List<string>(4);
        if (Token is not null)
        {
            parts.Add("token=" + EncodeText(Token));
        }
        if (Object is not null)
        {
            parts.Add("object=" + EncodeText(Object));
        }
        if (Id is { } id)
        {
            var builder = new StringBuilder("id=", 3 + id.Length * 3);
            foreach (var b in id.Span)
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            parts.Add(builder.ToString());
        }
        if (Type is not null)
        {
            parts.Add("type=" + EncodeText(Type));
        }
        return Scheme + string.Join(';', parts);
    }

    private static string EncodeText(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return builder.ToString();
    }

    private static string DecodeText(string uri, string name, string value)
    {
        try
        {
            // RFC 7512 §2.3: text attribute values are UTF-8 after percent-decoding.
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(PercentDecode(uri, name, value));
        }
        catch (DecoderFallbackException e)
        {
            throw new FormatException($"PKCS#11 URI '{uri}': attribute '{name}' is not valid UTF-8", e);
        }
    }

    private static byte[] PercentDecode(string uri, string name, string value)
    {
        var bytes = new List<byte>(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '%')
            {
                if (i + 2 >= value.Length || !char.IsAsciiHexDigit(value[i + 1]) || !char.IsAsciiHexDigit(value[i + 2]))
                {
                    throw new FormatException($"PKCS#11 URI '{uri}': attribute '{name}' has a bad percent-encoding at '{value[i..]}'");
                }
                bytes.Add(Convert.ToByte(value.Substring(i + 1, 2), 16));
                i += 2;
            }
            else if (!IsPathChar(c))
            {
                // RFC 7512 §2.3 pk11-pchar: anything outside it must arrive percent-encoded.
                throw new FormatException($"PKCS#11 URI '{uri}': attribute '{name}' contains '{c}', which must be percent-encoded");
            }
            else
            {
                bytes.Add((byte)c);
            }
        }
        return [.. bytes];
    }

    /// <summary>RFC 7512 §2.3 pk11-pchar without pct-encoded: unreserved / pk11-res-avail / "&amp;".</summary>
    private static bool IsPathChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~'
            or ':' or '[' or ']' or '@' or '!' or '$' or '\'' or '(' or ')' or '*' or '+' or ',' or '=' or '&';
}
