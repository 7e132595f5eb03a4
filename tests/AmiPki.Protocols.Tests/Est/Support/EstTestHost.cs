using System.Net.Security;
using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using AmiPki.Core.Approvals;
using AmiPki.Core.Audit;
using AmiPki.Core.Authorities;
using AmiPki.Core.Credentials;
using AmiPki.Core.Devices;
using AmiPki.Core.Issuance;
using AmiPki.Core.Keys;
using AmiPki.Core.Profiles;
using AmiPki.Core.Revocation;
using AmiPki.Core.Storage;
using AmiPki.Keys.Software;
using AmiPki.Protocols.Est;
using AmiPki.Storage.Sqlite.Approvals;
using AmiPki.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AmiPki.Protocols.Tests.Est.Support;

/// <summary>
/// A real Kestrel HTTPS listener on a loopback port with the EST endpoints over real storage (SQLite in a temp
/// directory), a development CA hierarchy and the shipped profiles plus <see cref="ManualProfile"/>. The TLS layer asks
/// for client certificates and accepts any, as the server host does.
/// </summary>
public sealed class EstTestHost : IAsyncDisposable
{
    public const string ManualProfile = "hes-manual";
    public const string AccountSecret = "correct horse battery staple";

    private readonly WebApplication _app;

    private EstTestHost(string directory, SqliteStorage storage, SqlitePendingRequestStore pending, CaHierarchy authorities, WebApplication app, Uri baseAddress)
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

    public string AnchorDirectory => Path.Combine(Directory, "trust", "manufacturers");

    public static async Task<EstTestHost> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "amipki-est-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        var time = TimeProvider.System;
        var storage = await SqliteStorage.OpenAsync(Path.Combine(directory, "amipki.db"), "test", time, CancellationToken.None);
        var keys = new SoftwareKeyProvider(Path.Combine(directory, "keys"), "est-test-only-passphrase");
        await new HierarchyInitializer(keys, storage.Cas, storage.Audit, time)
            .CreateAsync(HierarchyInitializer.DevelopmentHierarchy, "AmiPki Test", "http://127.0.0.1:1", CancellationToken.None);
        var authorities = await CaLoader.LoadAsync(storage.Cas, new Dictionary<string, IKeyProvider> { ["software"] = keys }, CancellationToken.None);
        var shipped = ProfileLoader.LoadDirectory(Path.Combine(RepositoryRoot(), "profiles"));
        var hesClient = shipped.Find("hes-client")!;
        var profiles = new ProfileSet(shipped.All.Append(hesClient with { Name = ManualProfile, ManualApproval = true }));
        var issuance = new IssuanceService(authorities, profiles, storage.Issuance, storage.Audit, time, credentials: storage.Credentials,
            supersession: new StoreSupersededRevoker(storage.Revocations, time));
        var pending = await SqlitePendingRequestStore.OpenAsync(Path.Combine(directory, "amipki.db"), CancellationToken.None);
        var serverCertificate = SelfSignedServerCertificate();

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            listen.UseHttps(new TlsHandshakeCallbackOptions
            {
                OnConnection = _ => ValueTask.FromResult(new SslServerAuthenticationOptions
                {
                    ServerCertificate = serverCertificate,
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    ClientCertificateRequired = true,
                    RemoteCertificateValidationCallback = (_, _, _, _) => true,
                }),
            });
        }));
        var services = builder.Services;
        services.AddSingleton(time);
        services.AddSingleton(issuance);
        services.AddSingleton(authorities);
        services.AddSingleton(profiles);
        services.AddSingleton<ICertificateReader>(storage.Certificates);
        services.AddSingleton<IAuditLog>(storage.Audit);
        services.AddSingleton<IDeviceRegistry>(storage.Devices);
        services.AddSingleton<ICredentialStore>(storage.Credentials);
        services.AddSingleton<IPendingRequestStore>(pending);
        services.AddEst(options =>
        {
            options.ManufacturerAnchorDirectory = Path.Combine(directory, "trust", "manufacturers");
            options.RetryAfterSeconds = 1;
        });
        var app = builder.Build();
        app.MapEst();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new EstTestHost(directory, storage, pending, authorities, app, new Uri(address.Replace("http://", "https://", StringComparison.Ordinal)));
    }

    /// <summary>An HTTPS client that trusts the test server and presents <paramref name="clientCertificate"/> if given.</summary>
    public HttpClient Client(X509Certificate2? clientCertificate = null, string? account = null, string secret = AccountSecret)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = new X509CertificateCollection { clientCertificate };
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
        }
        var client = new HttpClient(handler) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (account is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{account}:{secret}")));
        }
        return client;
    }

    public Task AddAccountAsync(string name, params string[] profiles) => Storage.Credentials.AddAsync(
        new EnrollmentCredential(EstAuthenticatorKind, name, SecretHasher.Hash(AccountSecret), profiles, null, null, false, null, DateTimeOffset.UtcNow),
        CancellationToken.None);

    public const string EstAuthenticatorKind = "est-account";

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

    private static X509Certificate2 SelfSignedServerCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=est-test-server", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        // Round-trip through PKCS#12 so SslStream gets a key it can use on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    private static string RepositoryRoot()
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
