using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace AmiPki.Protocols.Est;

/// <summary>
/// Reads a POSTed EST body: media type checked first (415), size capped before and while reading (413: a CSR is a few
/// hundred bytes; nothing larger than 64 KiB is read), then base64 or PEM decoded to DER (400).
/// </summary>
internal static class EstRequestBody
{
    public const int MaxBytes = 64 * 1024;

    /// <exception cref="EstProblem">415, 413 or 400.</exception>
    public static async Task<byte[]> ReadPkcs10Async(HttpContext context)
    {
        var request = context.Request;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals(EstMediaTypes.Pkcs10, StringComparison.OrdinalIgnoreCase))
        {
            throw new EstProblem(StatusCodes.Status415UnsupportedMediaType,
                $"expected Content-Type {EstMediaTypes.Pkcs10} (RFC 7030 §4.2.1), got '{request.ContentType ?? "none"}'");
        }
        if (request.ContentLength > MaxBytes)
        {
            throw TooLarge();
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBytes;
        }
        var body = await ReadBoundedAsync(request.Body, context.RequestAborted);
        // RFC 8951 §2: Content-Transfer-Encoding is optional and base64 is the encoding; a client that says "binary"
        // explicitly sends DER.
        var transfer = request.Headers["Content-Transfer-Encoding"].ToString().Trim();
        if (transfer.Equals("binary", StringComparison.OrdinalIgnoreCase))
        {
            return body.Length > 0 ? body : throw EstProblem.BadRequest("the request body is empty");
        }
        if (!EstBase64.TryDecode(body, out var der))
        {
            throw EstProblem.BadRequest("the request body is not base64 (RFC 7030 §4.2.1: a base64-encoded DER PKCS#10 CSR)");
        }
        return der;
    }

    private static async Task<byte[]> ReadBoundedAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxBytes + 1);
        try
        {
            var total = 0;
            while (true)
            {
                int read;
                try
                {
                    read = await body.ReadAsync(buffer.AsMemory(total, MaxBytes + 1 - total), cancellationToken);
                }
                catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
                {
                    throw TooLarge();
                }
                if (read == 0)
                {
                    break;
                }
                total += read;
                if (total > MaxBytes)
                {
                    throw TooLarge();
                }
            }
            return buffer.AsSpan(0, total).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static EstProblem TooLarge() =>
        new(StatusCodes.Status413PayloadTooLarge, $"the request body is larger than {MaxBytes} bytes");
}
