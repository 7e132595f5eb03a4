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
    /// <summary>
    /// Starts listening now, at registration: what happens before the first scrape — and before the host is even built,
    /// such as the HTTPS certificate's issuance — is counted. The container disposes the exporter with the host.
    /// </summary>
    public static IServiceCollection AddPrometheusMetrics(this IServiceCollection services)
    {
        var exporter = new PrometheusExporter();
        return services.AddSingleton(_ => exporter);
    }

    public static IEndpointRouteBuilder MapPrometheusMetrics(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var exporter = endpoints.ServiceProvider.GetRequiredService<PrometheusExporter>();
        endpoints.MapGet("/metrics", () => Results.Text(exporter.Render(), PrometheusExporter.ContentType)).ExcludeFromDescription();
        return endpoints;
    }
}
