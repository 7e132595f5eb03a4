using AmiPki.Core.Operations;
using System.Buffers;
using System.Globalization;
using AmiPki.Core.Issuance;
using AmiPki.Core.Storage;
using AmiPki.Core.Telemetry;
using AmiPki.Protocols.Crl;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AmiPki.Protocols.Ocsp;

/// <summary>
/// The OCSP responder over HTTP (RFC 6960 Appendix A, RFC 5019 §5–6): <c>POST /ocsp</c> with an
/// <c>application/ocsp-request</c> body, and <c>GET /ocsp/{base64}</c>. Always HTTP 200 with
/// <c>application/ocsp-response</c>, errors included (PROTOCOLS.md §0.3), and RFC 5019 caching headers.
/// </summary>
public static class OcspEndpoints
{
    public const string RequestContentType = "application/ocsp-request";
    public const string ResponseContentType = "application/ocsp-response";
    private const string Prefix = "/ocsp/";

    public static IServiceCollection AddOcspResponder(this IServiceCollection services)
    {
        services.AddRevocationCore();
        services.TryAddSingleton<OcspResponderOptions>();
        services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<OcspResponder>(sp, RevocationRegistration.TimeOf(sp),
            sp.GetRequiredService<ICertificateReader>()));
        services.TryAddSingleton(sp => new DelegatedResponderIssuer(sp.GetService<IssuanceService>(), sp.GetRequiredService<OcspResponderOptions>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<DelegatedResponderIssuer>(), sp.GetService<IOperationalIdentityStore>(),
            sp.GetService<OperationalKeyProtector>(), RevocationRegistration.TimeOf(sp)));
        services.TryAddSingleton(sp => new OcspResponderCertificates(sp.GetRequiredService<OcspResponder>(), sp.GetRequiredService<DelegatedResponderIssuer>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, OcspResponderService>(sp =>
            ActivatorUtilities.CreateInstance<OcspResponderService>(sp, RevocationRegistration.TimeOf(sp))));
        return services;
    }

    public static IEndpointRouteBuilder MapOcspResponder(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/ocsp", PostAsync);
        endpoints.MapGet("/ocsp/{**request}", GetAsync);
        return endpoints;
    }

    private static async Task PostAsync(HttpContext context)
    {
        var responder = context.RequestServices.GetRequiredService<OcspResponder>();
        var body = context.Request.BodyReader;
        OcspReply reply;
        try
        {
            if (context.Request.ContentLength > OcspRequest.MaxSize)
            {
                reply = OcspReply.Error(OcspResponseStatus.MalformedRequest);
            }
            else
            {
                // Cap the body before reading it (STYLE.md): read at most one byte more than a request may have.
                var read = await body.ReadAtLeastAsync(OcspRequest.MaxSize + 1, context.RequestAborted);
                var buffer = read.Buffer;
                byte[]? der = buffer.Length <= OcspRequest.MaxSize ? buffer.ToArray() : null;
                body.AdvanceTo(buffer.End);
                reply = der is null
                    ? OcspReply.Error(OcspResponseStatus.MalformedRequest)
                    : await responder.RespondAsync(der, context.RequestAborted);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        catch (BadHttpRequestException)
        {
            reply = OcspReply.Error(OcspResponseStatus.MalformedRequest);
        }
        await WriteAsync(context, reply);
    }

    private static async Task GetAsync(HttpContext context)
    {
        var responder = context.RequestServices.GetRequiredService<OcspResponder>();
        var options = context.RequestServices.GetRequiredService<OcspResponderOptions>();
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? (context.Request.PathBase + context.Request.Path).ToString();
        var der = OcspGetRequestDecoder.Decode(raw, Prefix, options.MaxGetLength);
        OcspReply reply;
        try
        {
            reply = der is null
                ? OcspReply.Error(OcspResponseStatus.MalformedRequest)
                : await responder.RespondAsync(der, context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        await WriteAsync(context, reply);
    }

    private static Task WriteAsync(HttpContext context, OcspReply reply)
    {
        AmiPkiMetrics.OcspResponses.Add(1, new KeyValuePair<string, object?>(AmiPkiMetrics.Tags.Status, StatusTag(reply)));
        var response = context.Response;
        var headers = response.Headers;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ResponseContentType;
        response.ContentLength = reply.Der.Length;
        if (reply.Cacheable)
        {
            // RFC 5019 §6.2, bounded by how long the answer stays true: a good answer may be revoked at any moment, so
            // caches keep it at most HttpMaxAgeSeconds even though its nextUpdate is hours away (OcspHttpCaching).
            var options = context.RequestServices.GetRequiredService<OcspResponderOptions>();
            var caching = OcspHttpCaching.For(reply, RevocationRegistration.TimeOf(context.RequestServices).GetUtcNow(), options.HttpMaxAgeSeconds);
            headers.LastModified = reply.LastModified;
            headers.Expires = caching.Expires.ToString("r", CultureInfo.InvariantCulture);
            headers.ETag = reply.ETag;
            headers.CacheControl = caching.CacheControl;
            // A cache revalidating what it holds: the answer was just confirmed against storage, so an unchanged ETag
            // means the same status (the DER, hence the ETag, changes whenever it is re-signed).
            if (HttpMethods.IsGet(context.Request.Method) && Matches(context.Request.Headers.IfNoneMatch, reply.ETag))
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                response.ContentLength = null;
                response.ContentType = null;
                return Task.CompletedTask;
            }
        }
        else
        {
            if (reply.ETag is not null)
            {
                headers.LastModified = reply.LastModified;
                headers.Expires = reply.Expires;
                headers.ETag = reply.ETag;
            }
            headers.CacheControl = "no-store";
        }
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(reply.Der, context.RequestAborted).AsTask();
    }

    private static bool Matches(Microsoft.Extensions.Primitives.StringValues ifNoneMatch, string? etag)
    {
        if (etag is null)
        {
            return false;
        }
        foreach (var value in ifNoneMatch)
        {
            foreach (var candidate in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (candidate == etag || (candidate.StartsWith("W/", StringComparison.Ordinal) && candidate[2..] == etag))
                {
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>good, revoked or unknown for a single-certificate answer; successful for several; else the error responseStatus (RFC 6960 §4.2.1).</summary>
    private static string StatusTag(OcspReply reply) => reply.Status != OcspResponseStatus.Successful
        ? reply.Status.ToString().ToLowerInvariant()
        : reply.CertificateStatus?.ToString().ToLowerInvariant() ?? "successful";
}
