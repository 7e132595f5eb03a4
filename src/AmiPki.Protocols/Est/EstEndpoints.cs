using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AmiPki.Protocols.Est;

/// <summary>Registers and maps the Est endpoints (placeholder until the Est adapter lands).</summary>
public static class EstEndpoints
{
    public static IServiceCollection AddEst(this IServiceCollection services) => services;

    public static IEndpointRouteBuilder MapEst(this IEndpointRouteBuilder endpoints) => endpoints;
}
