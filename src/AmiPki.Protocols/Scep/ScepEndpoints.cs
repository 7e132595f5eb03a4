using AmiPki.Core.Operations;
using AmiPki.Core.Approvals;
using AmiPki.Core.Audit;
using AmiPki.Core.Authorities;
using AmiPki.Core.Credentials;
using AmiPki.Core.Issuance;
using AmiPki.Core.Storage;
using AmiPki.Protocols.Crl;
using AmiPki.Protocols.EstCoaps;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace AmiPki.Protocols.Scep;

/// <summary>
/// SCEP (RFC 8894) over HTTP, GET and POST at <see cref="ScepOptions.Path"/> and its alternates:
/// <c>?operation=GetCACaps|GetCACert|PKIOperation[&amp;message=...]</c> (RFC 8894 §4.1). Needs from DI: TimeProvider,
/// IssuanceService, CaHierarchy, ICertificateReader, ICredentialStore, IAuditLog; optionally IPendingRequestStore (manual
/// approval) and CrlPublisher (GetCRL).
/// </summary>
public static class ScepEndpoints
{
    /// <param name="configure">Applied after the <c>AmiPki:Scep</c> configuration section.</param>
    public static IServiceCollection AddScep(this IServiceCollection services, Action<ScepOptions>? configure = null)
    {
        services.TryAddSingleton(provider =>
        {
            var options = new ScepOptions();
            provider.GetService<IConfiguration>()?.GetSection(ScepOptions.Section).Bind(options);
            configure?.Invoke(options);
            return options;
        });
        services.TryAddSingleton(provider => new ScepRaProvider(
            provider.GetRequiredService<IssuanceService>(),
            provider.GetRequiredService<CaHierarchy>(),
            provider.GetRequiredService<ScepOptions>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<ScepRaProvider>>(),
            provider.GetService<IOperationalIdentityStore>(),
            provider.GetService<OperationalKeyProtector>()));
        services.TryAddSingleton(provider => new ScepAudit(provider.GetRequiredService<IAuditLog>(), provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<ScepAudit>>()));
        services.TryAddSingleton(provider => new ScepService(
            provider.GetRequiredService<ScepOptions>(),
            provider.GetRequiredService<ScepRaProvider>(),
            provider.GetRequiredService<IssuanceService>(),
            provider.GetRequiredService<CaHierarchy>(),
            provider.GetRequiredService<ICertificateReader>(),
            provider.GetRequiredService<ICredentialStore>(),
            provider.GetService<IPendingRequestStore>(),
            provider.GetService<CrlPublisher>(),
            provider.GetRequiredService<ScepAudit>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<ScepService>>()));
        return services;
    }

    public static IEndpointRouteBuilder MapScep(this IEndpointRouteBuilder endpoints)
    {
        var options = endpoints.ServiceProvider.GetRequiredService<ScepOptions>();
        foreach (var path in new[] { options.Path }.Concat(options.AlternatePaths).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            endpoints.MapGet(path, context => Handler(context).GetAsync(context));
            endpoints.MapPost(path, context => Handler(context).PostAsync(context));
        }
        return endpoints;
    }

    private static ScepHttpHandler Handler(HttpContext context) => new(
        context.RequestServices.GetRequiredService<ScepService>(),
        context.RequestServices.GetRequiredService<ScepOptions>(),
        context.RequestServices.GetRequiredService<ILogger<ScepService>>());
}
