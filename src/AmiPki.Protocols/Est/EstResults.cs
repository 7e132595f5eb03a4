using System.Text;
using Microsoft.AspNetCore.Http;

namespace AmiPki.Protocols.Est;

/// <summary>Writes EST answers: base64 bodies with their media types, and one-line text/plain refusals.</summary>
internal static class EstResults
{
    public static Task WriteBase64Async(HttpContext context, string mediaType, ReadOnlySpan<byte> der)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = mediaType;
        // RFC 8951 §3 makes Content-Transfer-Encoding optional; older clients (RFC 7030 §4) still look for it.
        response.Headers["Content-Transfer-Encoding"] = "base64";
        var body = Encoding.ASCII.GetBytes(EstBase64.Encode(der));
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    public static Task WriteProblemAsync(HttpContext context, EstProblem problem, string realm)
    {
        var response = context.Response;
        response.StatusCode = problem.Status;
        response.ContentType = EstMediaTypes.Text;
        if (problem.Challenge)
        {
            response.Headers.WWWAuthenticate = $"Basic realm=\"{realm}\", charset=\"UTF-8\"";
        }
        if (problem.RetryAfterSeconds is { } retryAfter)
        {
            response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        var body = Encoding.UTF8.GetBytes(OneLine(problem.Reason) + "\n");
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    public static string OneLine(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= 300 ? line : line[..300];
    }
}
