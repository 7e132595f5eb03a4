using System.Net;
using AmiPki.Core.Approvals;
using AmiPki.Core.Audit;
using AmiPki.Core.Authorities;
using AmiPki.Core.Credentials;
using AmiPki.Core.Crl;
using AmiPki.Core.Devices;
using AmiPki.Core.Issuance;
using AmiPki.Core.Operations;
using AmiPki.Core.Profiles;
using AmiPki.Core.Revocation;
using AmiPki.Core.Storage;
using AmiPki.Core.Transactions;
using AmiPki.Protocols.Cmp;
using AmiPki.Protocols.Crl;
using AmiPki.Protocols.Est;
using AmiPki.Protocols.EstCoaps;
using AmiPki.Protocols.Ocsp;
using AmiPki.Protocols.Scep;
using AmiPki.Server.Api;
using AmiPki.Server.Jobs;
using AmiPki.Server.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AmiPki.Server.Hosting;

/// <summary>Builds the ASP.NET Core host of <c>amipki serve</c> around an opened <see cref="AmiPkiRuntime"/>.</summary>
public static class ServerHost
{
    /// <summary>The host with ASP.NET Core's default configuration sources (tests that build it in-process).</summary>
    public static Task<WebApplication> BuildAsync(AmiPkiRuntime runtime, string[] args, CancellationToken cancellationToken) =>
        BuildAsync(runtime, args, null, cancellationToken);

    /// <summary>
    /// The host of <c>amipki serve</c>, configured by <paramref name="configuration"/> alone (the one the CLI built:
    /// appsettings, AMIPKI_ variables, command line), so every section (<c>AmiPki:Est</c>, <c>AmiPki:Cmp</c>, <c>AmiPki:Scep</c>, ...)
    /// is bound from the same sources in the same order as <see cref="AmiPkiRuntime.Options"/>.
    /// </summary>
    public static Task<WebApplication> BuildAsync(AmiPkiRuntime runtime, IConfiguration configuration, CancellationToken cancellationToken) =>
        BuildAsync(runtime, [], configuration, cancellationToken);

    private static async Task<WebApplication> BuildAsync(AmiPkiRuntime runtime, string[] args, IConfiguration? configuration, CancellationToken cancellationToken)
    {
        // Taken before this process can reserve a serial: every intent still Signing from before then is an orphan.
        var startedAt = runtime.Time.GetUtcNow();
        var options = runtime.Options;
        // First of all: a live process under this name would have its in-flight intents taken for orphans below.
        var claim = await NodeNameClaim.ClaimAsync(runtime.Storage, options.NodeName, options.NodeLivenessSeconds, runtime.Time, cancellationToken);
        var issuance = await runtime.LoadAuthoritiesAsync(cancellationToken);
        var orphans = await new OrphanedIntentRecovery(runtime.Storage.Issuance, runtime.Time).RunAsync(startedAt, cancellationToken);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (configuration is not null)
        {
            // Not the host's own appsettings and unprefixed environment variables: one configuration, one precedence.
            builder.Configuration.Sources.Clear();
            builder.Configuration.AddConfiguration(configuration);
        }
        builder.Logging.ClearProviders();
        if (options.JsonLogs)
        {
            builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);
        }
        else
        {
            builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        }

        var address = IPAddress.Parse(options.ListenAddress);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(address, options.HttpPort, listen => listen.Protocols = HttpProtocols.Http1);
            if (options.HttpsPort > 0)
            {
                HttpsEndpoint.Configure(kestrel, address, options.HttpsPort, runtime);
            }
        });

        var services = builder.Services;
        services.AddAmiPkiRuntime(runtime, issuance);
        services.AddEst(est => est.ManufacturerAnchorDirectory = runtime.Layout.ManufacturerAnchors);
        var pendingRequests = await runtime.Storage.OpenPendingRequestsAsync(cancellationToken);
        // Factory form, so the container disposes the store with the host.
        services.AddSingleton<IPendingRequestStore>(_ => pendingRequests);
        services.AddEstCoaps(o => { o.ListenAddress = options.ListenAddress; o.Port = options.CoapsPort; o.DataDirectory = runtime.Layout.Root; });
        // The scheduler's jobs refresh CRLs and OCSP responses and renew responder certificates (recorded, audited, caught
        // up after a restart): the publishers' own periodic loops would only duplicate them.
        options.Crl.RefreshInBackground = !options.Jobs.Enabled;
        services.AddSingleton(options.Crl);
        if (options.Ocsp.HttpMaxAgeSeconds < 0)
        {
            throw new ArgumentException($"AmiPki:Ocsp:HttpMaxAgeSeconds must be 0 or more, not {options.Ocsp.HttpMaxAgeSeconds}");
        }
        options.Ocsp.MaintainInBackground = !options.Jobs.Enabled;
        services.AddSingleton(options.Ocsp);
        services.AddOcspResponder();
        services.AddCrlPublishing();
        services.AddCmp();
        services.AddScep();
        await services.AddAmiPkiJobsAsync(runtime, cancellationToken);
        services.AddAdminApi(runtime);
        services.AddPrometheusMetrics();
        services.AddSingleton(claim);
        services.AddHostedService(sp => sp.GetRequiredService<NodeNameClaim>());

        var app = builder.Build();
        // Renewals revoke what they supersede through the revocation service, so CRLs and OCSP follow at once.
        if (app.Services.GetService<RevocationService>() is { } revocations)
        {
            runtime.Issuance!.AttachSupersession(revocations);
        }
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AmiPki.Server");
        claim.UseLogger(logger);
        if (runtime.Authorities!.All.Any(a => a.Record.KeyProvider == "software"))
        {
            Log.SoftwareKeysInUse(logger);
        }
        Log.Starting(logger, runtime.Layout.Root, options.ListenAddress, options.HttpPort, options.HttpsPort,
            string.Join(", ", runtime.Authorities.Names), runtime.Profiles!.All.Count);
        if (orphans.Count > 0)
        {
            const int Shown = 20;
            Log.OrphanedIntentsRecovered(logger, orphans.Count, string.Join(", ", orphans.Take(Shown).Select(o => $"{o.Issuer}/{o.SerialHex}"))
                + (orphans.Count > Shown ? $", ... ({orphans.Count - Shown} more)" : ""));
        }

        JobScheduling.LogPlan(app.Services.GetRequiredService<JobPlan>(), logger);

        app.MapHealth();
        app.MapCaCertificates();
        app.MapEst();
        app.MapOcspResponder();
        app.MapCrlPublishing();
        app.MapCmp();
        app.MapScep();
        app.MapAdminApi();
        app.MapPrometheusMetrics();
        return app;
    }
}
