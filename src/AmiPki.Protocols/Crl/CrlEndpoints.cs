using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AmiPki.Protocols.Crl;

/// <summary>Registers and maps the Crl endpoints (placeholder until the Crl adapter lands).</summary>
public static class CrlEndpoints
{
    public static IServiceCollection AddCrlPublishing(this IServiceCollection services) => services;

    public static IEndpointRouteBuilder MapCrlPublishing(this IEndpointRouteBuilder endpoints) => endpoints;
}
