using System.Security.Cryptography;
using AmiPki.Core.Authorities;
using AmiPki.Core.Authorization;
using AmiPki.Core.Credentials;
using AmiPki.Core.Issuance;
using AmiPki.Core.Keys;
using AmiPki.Core.Operations;
using AmiPki.Core.Profiles;
using AmiPki.Core.Revocation;
using AmiPki.Core.Storage;
using AmiPki.Keys.Software;
using AmiPki.Protocols.Cmp;
using AmiPki.Protocols.Tests.Ocsp;
using AmiPki.Storage.Sqlite.Approvals;
using AmiPki.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace AmiPki.Protocols.Tests.Cmp.Support;

/// <summary>
/// <see cref="CmpService"/> over real storage (SQLite in a temp directory), the development CA hierarchy, the shipped
/// profiles and a clock the test moves. No HTTP: tests hand DER in and read DER out.
/// </summary>
public sealed class CmpTestBed : IAsyncDisposable
{
    public const string Secret = "cmp-unit-test-secret";
    private const string Passphrase = "cmp-test-only-passphrase";

    private CmpTestBed(string directory, SqliteStorage storage, CaHierarchy authorities, ManualClock clock, CmpOptions options, CmpService service,
        CmpConfirmationSweeper sweeper, CmpSecretProtector secrets)
    {
        Directory = directory;
        Storage = storage;
        Authorities = authorities;
        Clock = clock;
        Options = options;
        Service = service;
        Sweeper = sweeper;
        Secrets = secrets;
    }

    public string Directory { get; }

    public SqliteStorage Storage { get; }

    public CaHierarchy Authorities { get; }

    public ManualClock Clock { get; }

    public CmpOptions Options { get; }

    public CmpService Service { get; }

    public CmpConfirmationSweeper Sweeper { get; }

    public CmpSecretProtector Secrets { get; }

    /// <summary>The dcu profile with manual approval, for polling tests.</summary>
    public const string ManualProfile = "dcu-manual";

    public SqlitePendingRequestStore Pending { get; private init; } = null!;

    public static async Task<CmpTestBed> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "amipki-cmp-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var storage = await SqliteStorage.OpenAsync(Path.Combine(directory, "amipki.db"), "test", clock, CancellationToken.None);
        var keys = new SoftwareKeyProvider(Path.Combine(directory, "keys"), Passphrase);
        await new HierarchyInitializer(keys, storage.Cas, storage.Audit, TimeProvider.System)
            .CreateAsync(HierarchyInitializer.DevelopmentHierarchy, "AmiPki Test", "http://127.0.0.1:1", CancellationToken.None);
        var authorities = await CaLoader.LoadAsync(storage.Cas, new Dictionary<string, IKeyProvider> { ["software"] = keys }, CancellationToken.None);
        var shipped = ProfileLoader.LoadDirectory(Path.Combine(RepositoryRoot(), "profiles"));
        var profiles = new ProfileSet(shipped.All.Append(shipped.Find("dcu")! with { Name = ManualProfile, ManualApproval = true }));
        var pending = await SqlitePendingRequestStore.OpenAsync(Path.Combine(directory, "amipki.db"), CancellationToken.None);
        var issuance = new IssuanceService(authorities, profiles, storage.Issuance, storage.Audit, clock, credentials: storage.Credentials,
            supersession: new StoreSupersededRevoker(storage.Revocations, clock));
        var options = new CmpOptions { ConfirmWaitSeconds = 60 };
        var secrets = new CmpSecretProtector(Passphrase);
        var logger = NullLogger.Instance;
        var audit = new CmpAudit(storage.Audit, clock, logger);
        var revoker = new CmpRevoker(null, storage.Revocations, clock);
        var transactions = new CmpTransactionStore(storage.Transactions);
        var service = new CmpService(options, issuance, authorities, storage.Certificates, revoker,
            new CmpAuthenticator(storage.Credentials, new CurrentCertificateVerifier(authorities, storage.Certificates, clock), secrets),
            new CmpResponderProvider(issuance, authorities, options, clock, logger, storage.OperationalIdentities, new OperationalKeyProtector(Passphrase)), transactions, audit, clock, logger, pending);
        var sweeper = new CmpConfirmationSweeper(transactions, revoker, audit, options, clock, NullLogger<CmpConfirmationSweeper>.Instance);
        return new CmpTestBed(directory, storage, authorities, clock, options, service, sweeper, secrets) { Pending = pending };
    }

    public Task AddReferenceAsync(string reference, bool oneTime = false, string? subject = null, DateTimeOffset? expires = null, string profile = "dcu") =>
        Storage.Credentials.AddAsync(new EnrollmentCredential(CmpSecretProtector.CredentialKind, reference, Secrets.Protect(reference, Secret), [profile],
            subject, expires, oneTime, null, Clock.GetUtcNow()), CancellationToken.None);

    public async Task<CmpTestResponse> SendAsync(byte[] request, string? profile = null) =>
        CmpTestResponse.Decode(await Service.HandleAsync(request, profile, CancellationToken.None));

    public async Task<int> CountAsync(string profile = "dcu") =>
        (await Storage.Certificates.ListAsync(new CertificateQuery(Profile: profile, Limit: 10_000), CancellationToken.None)).Count;

    public async Task<CertificateRecord?> RecordOfAsync(byte[] certificateDer)
    {
        using var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(certificateDer);
        return await Storage.Certificates.FindAsync("issuing-s1", certificate.SerialNumber, CancellationToken.None);
    }

    public async Task<int> AuditCountAsync(string kind, string outcome)
    {
        var count = 0;
        await foreach (var entry in Storage.Audit.ReadAllAsync(CancellationToken.None))
        {
            if (entry.Event.Kind == kind && entry.Event.Outcome == outcome)
            {
                count++;
            }
        }
        return count;
    }

    /// <summary>ir with PBM and certConf: an enrolled DCU (its key and certificate).</summary>
    public async Task<(ECDsa Key, byte[] Certificate)> EnrollAsync(string reference, string subject)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var client = new CmpTestClient();
        var ip = await SendAsync(client.Message(PkiBodyType.Ir, CmpTestClient.CertRequest(key, subject), CmpTestProtection.Mac(reference, Secret)));
        Assert.That(ip.BodyType, Is.EqualTo(PkiBodyType.Ip), ip.Failure?.ToString());
        client.RecipNonce = ip.Message.Header.SenderNonce;
        var conf = await SendAsync(client.Message(PkiBodyType.CertConf, CmpTestClient.CertConf(ip.Certificate), CmpTestProtection.Mac(reference, Secret)));
        Assert.That(conf.BodyType, Is.EqualTo(PkiBodyType.PkiConf), conf.Failure?.ToString());
        return (key, ip.Certificate);
    }

    public async ValueTask DisposeAsync()
    {
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

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AmiPki.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("repository root not found");
    }
}
