using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace AmiPki.Protocols.Est;

/// <summary>An <c>Authorization: Basic</c> header (RFC 7617 §2), parsed without throwing.</summary>
internal sealed record BasicCredentials(string Name, string Secret)
{
    private const int MaxHeaderLength = 1024;

    /// <returns>Null when there is no Basic header; throws 401 when there is one that cannot be read.</returns>
    public static BasicCredentials? From(HttpRequest request)
    {
        var header = request.Headers[HeaderNames.Authorization].ToString();
        if (header.Length == 0)
        {
            return null;
        }
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            throw EstProblem.Unauthorized("only HTTP Basic authentication is accepted (RFC 7030 §3.2.3)");
        }
        if (header.Length > MaxHeaderLength)
        {
            throw EstProblem.Unauthorized("the Authorization header is too long");
        }
        var token = header.AsSpan(6).Trim();
        var buffer = new byte[token.Length];
        if (!Convert.TryFromBase64Chars(token, buffer, out var written))
        {
            throw EstProblem.Unauthorized("the Basic credentials are not base64 (RFC 7617 §2)");
        }
        string decoded;
        try
        {
            decoded = new UTF8Encoding(false, true).GetString(buffer, 0, written);
        }
        catch (DecoderFallbackException)
        {
            throw EstProblem.Unauthorized("the Basic credentials are not UTF-8 (RFC 7617 §2.1)");
        }
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw EstProblem.Unauthorized("the Basic credentials have no user-id (RFC 7617 §2)");
        }
        return new BasicCredentials(decoded[..colon], decoded[(colon + 1)..]);
    }
}
