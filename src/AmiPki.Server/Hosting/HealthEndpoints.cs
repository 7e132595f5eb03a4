using AmiPki.Core.Authorities;
using AmiPki.Core.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AmiPki.Server.Hosting;

/// <summary>
/// <c>GET /health</c>: liveness, the process is up and its CAs are loaded (it does not touch storage, so a database outage
/// does not get a live process restarted). <c>GET /health/ready</c>: readiness, storage answers a cheap query within
/// <see cref="ReadinessTimeout"/>; 503 with Retry-After otherwise, so a load balancer sends requests to other nodes.
/// </summary>
public static class HealthEndpoints
{
    /// <summary>How long readiness waits for storage before calling it unavailable.</summary>
    public static readonly TimeSpan ReadinessTimeout = TimeSpan.FromSeconds(2);

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health", (CaHierarchy authorities, TimeProvider time) =>
            Results.Json(new HealthStatus("ok", time.GetUtcNow(), authorities.Names.Order(StringComparer.Ordinal).ToArray()),
                HostJsonContext.Default.HealthStatus));
        endpoints.MapGet("/health/ready", ReadyAsync);
        return endpoints;
    }

    private static async Task<IResult> ReadyAsync(HttpContext context, AmiPkiRuntime runtime, TimeProvider time)
    {
        var node = runtime.Options.NodeName;
        var storage = runtime.Storage.Dialect;
        string reason;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted))
        {
            timeout.CancelAfter(ReadinessTimeout);
            try
            {
                await runtime.Storage.PingAsync(timeout.Token);
                return Results.Json(new ReadinessStatus("ready", time.GetUtcNow(), node, storage, null), HostJsonContext.Default.ReadinessStatus);
            }
            catch (StorageUnavailableException e)
            {
                reason = $"storage: {OneLine(e.Message)}";
            }
            catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
            {
                reason = $"storage: no answer within {ReadinessTimeout.TotalSeconds:0} s";
            }
        }
        context.Response.Headers.RetryAfter = StorageUnavailableException.DefaultRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Json(new ReadinessStatus("unavailable", time.GetUtcNow(), node, storage, reason), HostJsonContext.Default.ReadinessStatus,
            statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static string OneLine(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= 300 ? line : line[..300];
    }
}

/// <summary>The body of <c>/health</c>.</summary>
public sealed record HealthStatus(string Status, DateTimeOffset Time, string[] Authorities);

/// <summary>The body of <c>/health/ready</c>: "ready" or "unavailable" (with the reason), this node's name and its storage kind.</summary>
public sealed record ReadinessStatus(string Status, DateTimeOffset Time, string Node, string Storage, string? Reason);
