using AmiPki.Core.Approvals;
using AmiPki.Core.Authorities;
using AmiPki.Core.Authorization;
using AmiPki.Core.Devices;
using AmiPki.Core.Issuance;
using AmiPki.Core.Storage;
using AmiPki.Core.Trust;
using AmiPki.Protocols.Authorization;
using AmiPki.Protocols.Est;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AmiPki.Protocols.EstCoaps;

/// <summary>
/// EST-coaps (RFC 9148): EST over CoAP (RFC 7252, block-wise RFC 7959) over DTLS 1.2 (RFC 6347 / RFC 7925) on UDP.
/// Needs from DI what EST needs (TimeProvider, IssuanceService, CaHierarchy, ICertificateReader, IAuditLog,
/// IDeviceRegistry; optionally IPendingRequestStore), and shares EST's authorization rules: its <see cref="EstOptions"/>
/// per-profile policy and its <see cref="ManufacturerTrustAnchors"/>.
/// </summary>
public static class EstCoapsEndpoints
{
    /// <param name="configure">Applied after the <c>AmiPki:EstCoaps</c> configuration section: listen address, port, data directory.</param>
    public static IServiceCollection AddEstCoaps(this IServiceCollection services, Action<EstCoapsOptions>? configure = null)
    {
        services.TryAddSingleton(provider =>
        {
            var options = new EstCoapsOptions();
            provider.GetService<IConfiguration>()?.GetSection(EstCoapsOptions.Section).Bind(options);
            configure?.Invoke(options);
            return options;
        });
        services.TryAddSingleton(provider =>
        {
            var options = new EstOptions();
            provider.GetService<IConfiguration>()?.GetSection(EstOptions.Section).Bind(options);
            return options;
        });
        services.AddCurrentCertificateVerifier();
        services.TryAddSingleton(provider => new EstCoapsAuthenticator(
            Anchors(provider),
            provider.GetRequiredService<IDeviceRegistry>(),
            provider.GetRequiredService<CurrentCertificateVerifier>(),
            provider.GetRequiredService<CaHierarchy>(),
            provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(provider => new EstCoapsLabels(provider.GetRequiredService<EstCoapsOptions>(), provider.GetRequiredService<IssuanceService>().Profiles));
        services.TryAddSingleton(provider => new EstCoapsAudit(provider.GetRequiredService<Core.Audit.IAuditLog>(), provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<EstCoapsAudit>>()));
        services.TryAddSingleton(provider => new EstCoapsService(
            provider.GetRequiredService<EstCoapsOptions>(),
            provider.GetRequiredService<EstCoapsLabels>(),
            provider.GetRequiredService<EstCoapsAuthenticator>(),
            provider.GetRequiredService<IssuanceService>(),
            provider.GetService<IPendingRequestStore>(),
            provider.GetRequiredService<EstCoapsAudit>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<EstCoapsService>>()));
        services.AddSingleton<IHostedService>(provider => new EstCoapsHostedService(
            provider.GetRequiredService<EstCoapsOptions>(),
            provider.GetRequiredService<EstCoapsService>(),
            provider.GetRequiredService<EstCoapsLabels>(),
            provider.GetRequiredService<EstCoapsAuthenticator>(),
            provider.GetRequiredService<IssuanceService>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<EstCoapsHostedService>>()));
        return services;
    }

    /// <summary>
    /// The manufacturer anchors EST uses (one registration serves both protocols); when EST was not told where they live,
    /// the data directory's trust/manufacturers.
    /// </summary>
    private static ManufacturerTrustAnchors Anchors(IServiceProvider provider)
    {
        var shared = provider.GetService<ManufacturerTrustAnchors>();
        if (shared is not null && (shared.Directory is not null || shared.Manufacturers.Count > 0)
            || provider.GetRequiredService<EstCoapsOptions>().DataDirectory is not { } data)
        {
            return shared ?? new ManufacturerTrustAnchors((string?)null);
        }

        return new ManufacturerTrustAnchors(Path.Combine(data, "trust", "manufacturers"));
    }
}
