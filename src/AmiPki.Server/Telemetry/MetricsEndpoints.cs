using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AmiPki.Server.Telemetry;

/// <summary>
/// <c>GET /metrics</c> in Prometheus text format, on every listener (scrapers usually use plain HTTP). It reveals counts,
/// not certificates or secrets; put it behind the network's own controls like the other plain-HTTP services.
/// </summary>
public static class MetricsEndpoints
{
    public static IServiceCollection AddPrometheusMetrics(this IServiceCollection services) => services.AddSingleton<PrometheusExporter>();

    public static IEndpointRouteBuilder MapPrometheusMetrics(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        // Created now, not at the first scrape: what happens before it (the TLS certificate's issuance) must be counted.
        var exporter = endpoints.ServiceProvider.GetRequiredService<PrometheusExporter>();
        endpoints.MapGet("/metrics", () => Results.Text(exporter.Render(), PrometheusExporter.ContentType)).ExcludeFromDescription();
        return endpoints;
    }
}
