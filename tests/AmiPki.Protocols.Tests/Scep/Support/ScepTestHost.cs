using AmiPki.Core.Operations;
using System.Net;
using AmiPki.Core.Approvals;
using AmiPki.Core.Audit;
using AmiPki.Core.Authorities;
using AmiPki.Core.Credentials;
using AmiPki.Core.Issuance;
using AmiPki.Core.Keys;
using AmiPki.Core.Profiles;
using AmiPki.Core.Revocation;
using AmiPki.Core.Storage;
using AmiPki.Keys.Software;
using AmiPki.Protocols.Scep;
using AmiPki.Storage.Sqlite.Approvals;
using AmiPki.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AmiPki.Protocols.Tests.Scep.Support;

/// <summary>
/// A real Kestrel HTTP listener on a loopback port with the SCEP endpoints over real storage (SQLite in a temp
/// directory), a development CA hierarchy, the shipped profiles plus <see cref="ManualProfile"/> (network-device with
/// manual approval), and the static challenge <see cref="StaticChallenge"/> for network-device.
/// </summary>
public sealed class ScepTestHost : IAsyncDisposable
{
    /// <summary>The key passphrase: the software key provider's and the operational identities'.</summary>
    public const string Passphrase = "scep-test-only-passphrase";

    public const string ManualProfile = "network-device-manual";
    public const string StaticChallenge = "static-test-challenge";

    private readonly WebApplication _app;

    private ScepTestHost(string directory, SqliteStorage storage, SqlitePendingRequestStore pending, CaHierarchy authorities, WebApplication app, Uri baseAddress)
    {
        Directory = directory;
        Storage = storage;
        Pending = pending;
        Authorities = authorities;
        _app = app;
        BaseAddress = baseAddress;
    }

    public string Directory { get; }

    public SqliteStorage Storage { get; }

    public SqlitePendingRequestStore Pending { get; }

    public CaHierarchy Authorities { get; }

    public Uri BaseAddress { get; }

    public static async Task<ScepTestHost> StartAsync(Action<ScepOptions>? configure = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "amipki-scep-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        var time = TimeProvider.System;
        var storage = await SqliteStorage.OpenAsync(Path.Combine(directory, "amipki.db"), "test", time, CancellationToken.None);
        var keys = new SoftwareKeyProvider(Path.Combine(directory, "keys"), Passphrase);
        await new HierarchyInitializer(keys, storage.Cas, storage.Audit, time)
            .CreateAsync(HierarchyInitializer.DevelopmentHierarchy, "AmiPki Test", "http://127.0.0.1:1", CancellationToken.None);
        var authorities = await CaLoader.LoadAsync(storage.Cas, new Dictionary<string, IKeyProvider> { ["software"] = keys }, CancellationToken.None);
        var shipped = ProfileLoader.LoadDirectory(Path.Combine(RepositoryRoot(), "profiles"));
        var device = shipped.Find("network-device")!;
        var profiles = new ProfileSet(shipped.All.Append(device with { Name = ManualProfile, ManualApproval = true }));
        var issuance = new IssuanceService(authorities, profiles, storage.Issuance, storage.Audit, time, credentials: storage.Credentials,
            supersession: new StoreSupersededRevoker(storage.Revocations, time));
        var pending = await SqlitePendingRequestStore.OpenAsync(Path.Combine(directory, "amipki.db"), CancellationToken.None);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1));
        var services = builder.Services;
        services.AddSingleton(time);
        services.AddSingleton(issuance);
        services.AddSingleton(authorities);
        services.AddSingleton(profiles);
        services.AddSingleton<ICertificateReader>(storage.Certificates);
        services.AddSingleton<IAuditLog>(storage.Audit);
        services.AddSingleton<ICredentialStore>(storage.Credentials);
        services.AddSingleton<IPendingRequestStore>(pending);
        services.AddSingleton<IOperationalIdentityStore>(storage.OperationalIdentities);
        services.AddSingleton(new OperationalKeyProtector(Passphrase));
        services.AddScep(options =>
        {
            options.StaticChallenges["network-device"] = StaticChallenge;
            configure?.Invoke(options);
        });
        var app = builder.Build();
        app.MapScep();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ScepTestHost(directory, storage, pending, authorities, app, new Uri(address));
    }

    public ScepTestClient Client(string path = "/scep") => new(new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) }, path);

    /// <summary>A one-time challenge for <paramref name="profile"/>, as <c>amipki scep-challenge add</c> stores it.</summary>
    public async Task<string> AddOneTimeChallengeAsync(string profile, DateTimeOffset? expires = null)
    {
        var (id, secret, password) = ScepChallenge.Generate();
        await Storage.Credentials.AddAsync(new EnrollmentCredential(ScepChallenge.CredentialKind, id, SecretHasher.Hash(secret), [profile], null,
            expires ?? DateTimeOffset.UtcNow.AddDays(1), true, null, DateTimeOffset.UtcNow), CancellationToken.None);
        return password;
    }

    public async Task<int> IssuedCountAsync() =>
        (await Storage.Certificates.ListAsync(new CertificateQuery(State: CertificateState.Issued, Limit: 100_000), CancellationToken.None)).Count;

    public async Task<int> RefusalCountAsync()
    {
        var count = 0;
        await foreach (var entry in Storage.Audit.ReadAllAsync(CancellationToken.None))
        {
            if (entry.Event.Outcome == "refused")
            {
                count++;
            }
        }
        return count;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Pending.DisposeAsync();
        await Storage.DisposeAsync();
        Authorities.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }

    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AmiPki.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("cannot find the repository root above " + AppContext.BaseDirectory);
    }
}
