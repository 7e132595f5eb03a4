using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace AmiPki.Protocols.Scep;

/// <summary>
/// The HTTP side of SCEP (RFC 8894 §4): operation dispatch, GET messages in base64 (URL-encoded), POST messages in
/// binary, bodies capped before reading, the media types of §4.2–§4.3, and HTTP 200 for every CertRep, FAILURE included.
/// </summary>
internal sealed class ScepHttpHandler(ScepService service, ScepOptions options, ILogger logger)
{
    public const string PkiMessage = "application/x-pki-message";
    public const string CaRaCert = "application/x-x509-ca-ra-cert";

    public Task GetAsync(HttpContext context)
    {
        var operation = context.Request.Query["operation"].ToString();
        switch (operation)
        {
            case "GetCACaps":
                return WriteAsync(context, StatusCodes.Status200OK, "text/plain", Encoding.ASCII.GetBytes(service.CaCaps()));
            case "GetCACert":
                return GuardAsync(context, operation, async () =>
                    await WriteAsync(context, StatusCodes.Status200OK, CaRaCert, await service.CaCertAsync(context.RequestAborted)));
            case "PKIOperation":
                var text = context.Request.Query["message"].ToString();
                // base64 grows 4/3; '+' may arrive as ' ' where the client did not URL-encode it (RFC 8894 §4.1).
                if (text.Length > (options.MaxMessageBytes / 3 + 1) * 4 + 1024)
                {
                    return TextAsync(context, StatusCodes.Status414UriTooLong, $"the message is larger than {options.MaxMessageBytes} bytes");
                }
                byte[] message;
                try
                {
                    message = Convert.FromBase64String(text.Replace(' ', '+').Replace("\r", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal));
                }
                catch (FormatException)
                {
                    return TextAsync(context, StatusCodes.Status400BadRequest, "the message parameter is not base64");
                }
                return PkiOperationAsync(context, message);
            default:
                return TextAsync(context, StatusCodes.Status400BadRequest,
                    $"unknown operation '{operation}': expected GetCACaps, GetCACert or PKIOperation (RFC 8894 §4.1)");
        }
    }

    public async Task PostAsync(HttpContext context)
    {
        var operation = context.Request.Query["operation"].ToString();
        if (operation.Length > 0 && operation != "PKIOperation")
        {
            await TextAsync(context, StatusCodes.Status400BadRequest, $"POST serves operation PKIOperation only, not '{operation}' (RFC 8894 §4.1)");
            return;
        }
        if (context.Request.ContentLength > options.MaxMessageBytes)
        {
            await TextAsync(context, StatusCodes.Status413PayloadTooLarge, $"the message is larger than {options.MaxMessageBytes} bytes");
            return;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = options.MaxMessageBytes;
        }
        byte[] message;
        try
        {
            message = await ReadCappedAsync(context.Request.Body, options.MaxMessageBytes, context.RequestAborted);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
        {
            await TextAsync(context, StatusCodes.Status413PayloadTooLarge, $"the message is larger than {options.MaxMessageBytes} bytes");
            return;
        }
        await PkiOperationAsync(context, message);
    }

    private Task PkiOperationAsync(HttpContext context, byte[] message) => GuardAsync(context, "PKIOperation", async () =>
    {
        byte[] reply;
        try
        {
            reply = await service.PkiOperationAsync(message, context.RequestAborted);
        }
        catch (ScepFormatException e)
        {
            // Nothing to address a CertRep to (RFC 8894 §3.2.1): plain text, 400.
            await TextAsync(context, StatusCodes.Status400BadRequest, e.Message);
            return;
        }
        await WriteAsync(context, StatusCodes.Status200OK, PkiMessage, reply);
    });

    /// <summary>Never an unhandled exception to the client: an unexpected one is logged and answered 500 with text.</summary>
    private async Task GuardAsync(HttpContext context, string operation, Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception e) when (e is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            ScepLog.Unexpected(logger, e, operation);
            if (!context.Response.HasStarted)
            {
                await TextAsync(context, StatusCodes.Status500InternalServerError, "the SCEP service could not answer; see the server log");
            }
        }
    }

    private static async Task<byte[]> ReadCappedAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new InvalidDataException("body over the limit");
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static Task TextAsync(HttpContext context, int status, string text) =>
        WriteAsync(context, status, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes(text + "\n"));

    private static async Task WriteAsync(HttpContext context, int status, string contentType, byte[] body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }
}
