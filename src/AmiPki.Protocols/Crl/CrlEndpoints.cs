using System.Globalization;
using AmiPki.Core.Audit;
using AmiPki.Core.Crl;
using AmiPki.Core.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace AmiPki.Protocols.Crl;

/// <summary>
/// CRL publication: <c>GET /crl/{issuer}.crl</c> (complete) and <c>GET /crl/{issuer}-delta.crl</c> (delta), DER as
/// <c>application/pkix-crl</c> (RFC 5280 §4.2.1.13 points certificates at the first). Rebuilt on a timer and within
/// seconds of a revocation by <see cref="CrlPublisher"/>.
/// </summary>
public static class CrlEndpoints
{
    public const string ContentType = "application/pkix-crl";

    public static IServiceCollection AddCrlPublishing(this IServiceCollection services)
    {
        services.AddRevocationCore();
        services.TryAddSingleton(sp => new CrlGenerator(sp.GetRequiredService<IRevocationStore>(), RevocationRegistration.TimeOf(sp),
            sp.GetService<IAuditLog>()));
        services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<CrlPublisher>(sp, RevocationRegistration.TimeOf(sp)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, CrlPublishingService>(sp =>
            new CrlPublishingService(sp.GetRequiredService<CrlPublisher>(), sp.GetRequiredService<CrlPublishingOptions>(), RevocationRegistration.TimeOf(sp))));
        return services;
    }

    public static IEndpointRouteBuilder MapCrlPublishing(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/crl/{file}", ServeAsync);
        return endpoints;
    }

    private static async Task ServeAsync(HttpContext context)
    {
        var response = context.Response;
        try
        {
            var publisher = context.RequestServices.GetRequiredService<CrlPublisher>();
            var file = context.Request.RouteValues["file"] as string ?? "";
            if (!TryResolve(publisher, file, out var issuer, out var delta))
            {
                response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            var crl = await publisher.GetAsync(issuer, delta, context.RequestAborted);
            if (crl is null)
            {
                response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            var options = context.RequestServices.GetRequiredService<CrlPublishingOptions>();
            var now = RevocationRegistration.TimeOf(context.RequestServices).GetUtcNow();
            var expires = now + options.HttpMaxAge < crl.NextUpdate ? now + options.HttpMaxAge : crl.NextUpdate;
            var headers = response.Headers;
            headers.LastModified = crl.ThisUpdate.ToString("r", CultureInfo.InvariantCulture);
            headers.Expires = expires.ToString("r", CultureInfo.InvariantCulture);
            headers.ETag = crl.ETag;
            headers.CacheControl = $"max-age={(int)Math.Max(0, (expires - now).TotalSeconds)}, public, no-transform, must-revalidate";
            if (context.Request.Headers.IfNoneMatch.Contains(crl.ETag))
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }
            response.ContentType = ContentType;
            response.ContentLength = crl.Der.Length;
            if (!HttpMethods.IsHead(context.Request.Method))
            {
                await response.Body.WriteAsync(crl.Der, context.RequestAborted);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
#pragma warning disable CA1031 // Never an unhandled exception to a client: the CRL could not be built yet.
        catch (Exception)
#pragma warning restore CA1031
        {
            if (!response.HasStarted)
            {
                response.Clear();
                response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                response.Headers.RetryAfter = "10";
            }
        }
    }

    private static bool TryResolve(CrlPublisher publisher, string file, out string issuer, out bool delta)
    {
        issuer = "";
        delta = false;
        if (!file.EndsWith(".crl", StringComparison.Ordinal))
        {
            return false;
        }
        var name = file[..^4];
        if (publisher.Issuers.Contains(name))
        {
            issuer = name;
            return true;
        }
        if (name.EndsWith("-delta", StringComparison.Ordinal) && publisher.Issuers.Contains(name[..^6]))
        {
            issuer = name[..^6];
            delta = true;
            return true;
        }
        return false;
    }
}
