using AmiPki.Core.Audit;
using AmiPki.Core.Authorities;
using AmiPki.Core.Devices;
using AmiPki.Core.Revocation;
using AmiPki.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace AmiPki.Protocols.Crl;

/// <summary>
/// What CRL publishing and the OCSP responder share, registered once whichever of them is added first: the notifier,
/// the revocation service (for the admin API) and the storage watcher with its polling service.
/// </summary>
internal static class RevocationRegistration
{
    public static IServiceCollection AddRevocationCore(this IServiceCollection services)
    {
        services.TryAddSingleton<RevocationNotifier>();
        services.TryAddSingleton<CrlPublishingOptions>();
        services.TryAddSingleton(sp => new RevocationService(
            sp.GetRequiredService<CaHierarchy>(),
            sp.GetRequiredService<ICertificateReader>(),
            sp.GetRequiredService<IRevocationStore>(),
            sp.GetRequiredService<RevocationNotifier>(),
            TimeOf(sp),
            sp.GetService<IAuditLog>(),
            sp.GetService<IDeviceRegistry>()));
        services.TryAddSingleton(sp => new RevocationWatcher(
            sp.GetRequiredService<IRevocationStore>(),
            sp.GetRequiredService<CaHierarchy>().Names,
            sp.GetRequiredService<RevocationNotifier>(),
            TimeOf(sp),
            sp.GetRequiredService<CrlPublishingOptions>().DeltaOverlap));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RevocationPollingService>());
        return services;
    }

    public static TimeProvider TimeOf(IServiceProvider services) => services.GetService<TimeProvider>() ?? TimeProvider.System;
}
