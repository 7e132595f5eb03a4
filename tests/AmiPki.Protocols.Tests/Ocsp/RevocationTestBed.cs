using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Audit;
using AmiPki.Core.Authorities;
using AmiPki.Core.Crl;
using AmiPki.Core.Devices;
using AmiPki.Core.Issuance;
using AmiPki.Core.Keys;
using AmiPki.Core.Profiles;
using AmiPki.Core.Revocation;
using AmiPki.Core.Storage;
using AmiPki.Keys.Software;
using AmiPki.Protocols.Crl;
using AmiPki.Protocols.Ocsp;
using AmiPki.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AmiPki.Protocols.Tests.Ocsp;

/// <summary>
/// Real SQLite storage in a temp directory, the development CA hierarchy with software keys, the shipped profiles, the
/// issuance pipeline and the revocation service; optionally the OCSP and CRL endpoints on a loopback Kestrel.
/// </summary>
public sealed class RevocationTestBed : IAsyncDisposable
{
    private WebApplication? _app;

    private RevocationTestBed(string directory, SqliteStorage storage, CaHierarchy authorities, IssuanceService issuance, RevocationNotifier notifier,
        TimeProvider time)
    {
        Directory = directory;
        Storage = storage;
        Authorities = authorities;
        Issuance = issuance;
        Notifier = notifier;
        Time = time;
        Revocations = new RevocationService(authorities, storage.Certificates, storage.Revocations, notifier, time, storage.Audit, storage.Devices);
    }

    public string Directory { get; }

    public SqliteStorage Storage { get; }

    public CaHierarchy Authorities { get; }

    public IssuanceService Issuance { get; }

    public RevocationNotifier Notifier { get; }

    public RevocationService Revocations { get; }

    public TimeProvider Time { get; }

    /// <summary>Set by <see cref="StartHttpAsync"/>.</summary>
    public Uri? BaseAddress { get; private set; }

    public IServiceProvider? Services => _app?.Services;

    public static async Task<RevocationTestBed> CreateAsync(TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        var directory = Path.Combine(Path.GetTempPath(), "amipki-rev-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        var storage = await SqliteStorage.OpenAsync(Path.Combine(directory, "amipki.db"), "test", time, CancellationToken.None);
        var keys = new SoftwareKeyProvider(Path.Combine(directory, "keys"), "revocation-test-only-passphrase");
        await new HierarchyInitializer(keys, storage.Cas, storage.Audit, time)
            .CreateAsync(HierarchyInitializer.DevelopmentHierarchy, "AmiPki Test", "http://127.0.0.1:1", CancellationToken.None);
        var authorities = await CaLoader.LoadAsync(storage.Cas, new Dictionary<string, IKeyProvider> { ["software"] = keys }, CancellationToken.None);
        var profiles = ProfileLoader.LoadDirectory(Path.Combine(RepositoryRoot(), "profiles"));
        var issuance = new IssuanceService(authorities, profiles, storage.Issuance, storage.Audit, time, credentials: storage.Credentials,
            supersession: new StoreSupersededRevoker(storage.Revocations, time));
        return new RevocationTestBed(directory, storage, authorities, issuance, new RevocationNotifier(), time);
    }

    /// <summary>Issues a Suite 1 meter signing certificate for <paramref name="systemTitle"/>, recorded with its DCU and lot.</summary>
    public async Task<X509Certificate2> IssueMeterAsync(string systemTitle, string? dcu = null, string? lot = null, string profile = "meter-s1-signing")
    {
        using var key = ECDsa.Create(profile.Contains("-s2-", StringComparison.Ordinal) ? ECCurve.NamedCurves.nistP384 : ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest($"CN={systemTitle}", key, HashAlgorithmName.SHA256).CreateSigningRequest();
        var issued = await Issuance.IssueAsync(new EnrollmentRequest(csr, profile, Requester.Administrator("test"), EnrollmentProtocol.Cli)
        {
            Device = new DeviceContext(systemTitle, dcu, lot, null),
        }, CancellationToken.None);
        return issued.ToX509();
    }

    public CertificateAuthority Ca(string name) => Authorities.Find(name)!;

    /// <summary>The OCSP responder over this storage, its delegated responders issued through the pipeline.</summary>
    public async Task<OcspResponder> CreateResponderAsync(OcspResponderOptions? options = null)
    {
        options ??= new OcspResponderOptions();
        var responder = new OcspResponder(Authorities, Storage.Certificates, Notifier, Time, options, NullLogger<OcspResponder>.Instance);
        await responder.InitializeAsync(new DelegatedResponderIssuer(Issuance, options, NullLogger.Instance), CancellationToken.None);
        return responder;
    }

    public CrlGenerator CrlGenerator() => new(Storage.Revocations, Time, Storage.Audit);

    /// <summary>Starts the OCSP and CRL endpoints, exactly as the host registers them, on a loopback port.</summary>
    public async Task StartHttpAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0));
        var services = builder.Services;
        services.AddSingleton(Time);
        services.AddSingleton(Issuance);
        services.AddSingleton(Authorities);
        services.AddSingleton(Notifier);
        services.AddSingleton<ICertificateReader>(Storage.Certificates);
        services.AddSingleton<IRevocationStore>(Storage.Revocations);
        services.AddSingleton<IAuditLog>(Storage.Audit);
        services.AddSingleton<IDeviceRegistry>(Storage.Devices);
        services.AddOcspResponder();
        services.AddCrlPublishing();
        _app = builder.Build();
        _app.MapOcspResponder();
        _app.MapCrlPublishing();
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
        await _app.Services.GetRequiredService<OcspResponder>().Ready;
    }

    public static string RepositoryRoot()
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

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        Authorities.Dispose();
        await Storage.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may hold the file a moment longer; the temp directory is cleaned by the OS eventually.
        }
    }
}
