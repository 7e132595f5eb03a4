using AmiPki.Core.Authorities;
using AmiPki.Core.Authorization;
using AmiPki.Core.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;

namespace AmiPki.Protocols.Authorization;

/// <summary>The core's authorization services every adapter authenticates with, registered once whichever adapter comes first.</summary>
public static class AuthorizationRegistration
{
    public static IServiceCollection AddCurrentCertificateVerifier(this IServiceCollection services)
    {
        services.TryAddSingleton(provider => new CurrentCertificateVerifier(
            provider.GetRequiredService<CaHierarchy>(),
            provider.GetRequiredService<ICertificateReader>(),
            provider.GetService<TimeProvider>() ?? TimeProvider.System));
        return services;
    }
}
