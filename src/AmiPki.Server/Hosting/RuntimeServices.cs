using AmiPki.Core.Audit;
using AmiPki.Core.Authorities;
using AmiPki.Core.Credentials;
using AmiPki.Core.Crl;
using AmiPki.Core.Devices;
using AmiPki.Core.Issuance;
using AmiPki.Core.Operations;
using AmiPki.Core.Storage;
using AmiPki.Core.Transactions;
using Microsoft.Extensions.DependencyInjection;

namespace AmiPki.Server.Hosting;

/// <summary>
/// What every container built on an opened runtime needs — `amipki serve`'s web host and the CLI's `jobs run` alike:
/// the runtime, its options, clock, CA hierarchy, profiles, issuance pipeline and every storage interface. One list, so
/// a store added to the storage reaches both.
/// </summary>
public static class RuntimeServices
{
    public static IServiceCollection AddAmiPkiRuntime(this IServiceCollection services, AmiPkiRuntime runtime, IssuanceService issuance)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        services.AddSingleton(runtime.Options);
        services.AddSingleton(runtime);
        services.AddSingleton(runtime.Time);
        services.AddSingleton(runtime.Layout);
        services.AddSingleton(issuance);
        services.AddSingleton(runtime.Authorities!);
        services.AddSingleton(runtime.Profiles!);
        services.AddSingleton<IIssuanceStore>(runtime.Storage.Issuance);
        services.AddSingleton<ICertificateReader>(runtime.Storage.Certificates);
        services.AddSingleton<IRevocationStore>(runtime.Storage.Revocations);
        services.AddSingleton<IAuditLog>(runtime.Storage.Audit);
        services.AddSingleton<ICaStore>(runtime.Storage.Cas);
        services.AddSingleton<IDeviceRegistry>(runtime.Storage.Devices);
        services.AddSingleton<ICredentialStore>(runtime.Storage.Credentials);
        services.AddSingleton<IProtocolTransactionStore>(runtime.Storage.Transactions);
        services.AddSingleton<IOperationalIdentityStore>(runtime.Storage.OperationalIdentities);
        services.AddSingleton<IPublishedCrlStore>(runtime.Storage.Crls);
        if (runtime.OperationalKeys is { } operationalKeys)
        {
            services.AddSingleton(operationalKeys);
        }
        return services;
    }
}
