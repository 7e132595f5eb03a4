using AmiPki.Core.Authorities;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AmiPki.Server.Hosting;

/// <summary><c>GET /health</c>: the process is up and its CAs are loaded.</summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health", (CaHierarchy authorities, TimeProvider time) =>
            Results.Json(new HealthStatus("ok", time.GetUtcNow(), authorities.Names.Order(StringComparer.Ordinal).ToArray()),
                HostJsonContext.Default.HealthStatus));
        return endpoints;
    }
}

/// <summary>The body of <c>/health</c>.</summary>
public sealed record HealthStatus(string Status, DateTimeOffset Time, string[] Authorities);
