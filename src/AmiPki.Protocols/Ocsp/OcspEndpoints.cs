using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AmiPki.Protocols.Ocsp;

/// <summary>Registers and maps the Ocsp endpoints (placeholder until the Ocsp adapter lands).</summary>
public static class OcspEndpoints
{
    public static IServiceCollection AddOcspResponder(this IServiceCollection services) => services;

    public static IEndpointRouteBuilder MapOcspResponder(this IEndpointRouteBuilder endpoints) => endpoints;
}
