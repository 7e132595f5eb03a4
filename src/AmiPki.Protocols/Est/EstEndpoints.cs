using AmiPki.Core.Approvals;
using AmiPki.Core.Authorities;
using AmiPki.Core.Authorization;
using AmiPki.Core.Credentials;
using AmiPki.Core.Devices;
using AmiPki.Core.Issuance;
using AmiPki.Core.Storage;
using AmiPki.Core.Trust;
using AmiPki.Protocols.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AmiPki.Protocols.Est;

/// <summary>
/// EST over HTTPS (RFC 7030): <c>/.well-known/est/[&lt;label&gt;/]{cacerts, simpleenroll, simplereenroll, serverkeygen,
/// csrattrs}</c>. Needs from DI: TimeProvider, IssuanceService, CaHierarchy, ICertificateReader, IAuditLog,
/// ICredentialStore, IDeviceRegistry; optionally IPendingRequestStore (manual approval) and ManufacturerTrustAnchors.
/// </summary>
public static class EstEndpoints
{
    public const string BasePath = "/.well-known/est";

    /// <param name="configure">Applied after the <c>AmiPki:Est</c> configuration section, e.g. to set the anchors directory.</param>
    public static IServiceCollection AddEst(this IServiceCollection services, Action<EstOptions>? configure = null)
    {
        services.TryAddSingleton(provider =>
        {
            var options = new EstOptions();
            provider.GetService<IConfiguration>()?.GetSection(EstOptions.Section).Bind(options);
            configure?.Invoke(options);
            return options;
        });
        services.TryAddSingleton(provider => new ManufacturerTrustAnchors(provider.GetRequiredService<EstOptions>().ManufacturerAnchorDirectory));
        services.TryAddSingleton(provider => new EstLabels(provider.GetRequiredService<EstOptions>(), provider.GetRequiredService<IssuanceService>().Profiles));
        services.TryAddSingleton(provider => new EstAudit(provider.GetRequiredService<Core.Audit.IAuditLog>(), provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<EstAudit>>()));
        services.AddCurrentCertificateVerifier();
        services.TryAddSingleton(provider => new EstAuthenticator(
            provider.GetRequiredService<EstOptions>(),
            provider.GetRequiredService<ManufacturerTrustAnchors>(),
            provider.GetRequiredService<ICredentialStore>(),
            provider.GetRequiredService<IDeviceRegistry>(),
            provider.GetRequiredService<CurrentCertificateVerifier>(),
            provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(provider => new EstService(
            provider.GetRequiredService<EstOptions>(),
            provider.GetRequiredService<EstLabels>(),
            provider.GetRequiredService<EstAuthenticator>(),
            provider.GetRequiredService<IssuanceService>(),
            provider.GetRequiredService<CaHierarchy>(),
            provider.GetService<IPendingRequestStore>(),
            provider.GetRequiredService<EstAudit>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<EstService>>()));
        return services;
    }

    public static IEndpointRouteBuilder MapEst(this IEndpointRouteBuilder endpoints)
    {
        var est = endpoints.MapGroup(BasePath);
        // RFC 7030 §3.2.2: each operation with and without the optional label segment.
        foreach (var prefix in new[] { "", "/{label}" })
        {
            est.MapGet($"{prefix}/{EstOperation.CaCerts}", context => Service(context).CaCertsAsync(context, Label(context)));
            est.MapGet($"{prefix}/{EstOperation.CsrAttrs}", context => Service(context).CsrAttrsAsync(context, Label(context)));
            est.MapPost($"{prefix}/{EstOperation.SimpleEnroll}", context => Service(context).EnrollAsync(context, Label(context), renewal: false));
            est.MapPost($"{prefix}/{EstOperation.SimpleReenroll}", context => Service(context).EnrollAsync(context, Label(context), renewal: true));
            est.MapPost($"{prefix}/{EstOperation.ServerKeyGen}", context => Service(context).ServerKeyGenAsync(context, Label(context)));
        }
        return endpoints;
    }

    private static EstService Service(HttpContext context) => context.RequestServices.GetRequiredService<EstService>();

    private static string? Label(HttpContext context) => context.Request.RouteValues.TryGetValue("label", out var value) ? value as string : null;
}
