using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Audit;
using AmiPki.Core.Authorities;
using AmiPki.Core.Issuance;
using AmiPki.Core.Keys;
using AmiPki.Core.Operations;
using AmiPki.Core.Profiles;
using AmiPki.Core.Revocation;
using AmiPki.Keys.Pkcs11;
using AmiPki.Keys.Software;
using AmiPki.Keys.Testing;
using AmiPki.Storage;

namespace AmiPki.Server;

/// <summary>
/// An opened AmiPki instance: storage, key providers, the CA hierarchy, the profiles and the issuance pipeline.
/// Shared by <c>amipki serve</c> and the admin commands, so both run exactly the same core.
/// </summary>
public sealed class AmiPkiRuntime : IAsyncDisposable
{
    /// <summary>The provider of CA keys on the online PKCS#11 token (<c>AmiPki:Pkcs11:TokenLabel</c>).</summary>
    public const string Pkcs11ProviderName = Pkcs11KeyProvider.ProviderName;

    /// <summary>
    /// How CA records name the root CA's own token. The server never configures a provider of this name, so it leaves such
    /// a root out of the CAs it serves (it signs nothing online); only <c>amipki init</c> and <c>amipki ceremony</c> open the token.
    /// </summary>
    public const string RootTokenProviderName = "pkcs11-root";

    private AmiPkiRuntime(AmiPkiOptions options, DataLayout layout, StorageLocation storageLocation, IAmiPkiStorage storage,
        IReadOnlyDictionary<string, IKeyProvider> keyProviders, TimeProvider time, OperationalKeyProtector? operationalKeys)
    {
        OperationalKeys = operationalKeys;
        Options = options;
        Layout = layout;
        StorageLocation = storageLocation;
        Storage = storage;
        KeyProviders = keyProviders;
        Time = time;
    }

    public AmiPkiOptions Options { get; }

    public DataLayout Layout { get; }

    /// <summary>Which database <see cref="Storage"/> is: the data directory's SQLite file, or PostgreSQL (AmiPki:Storage:Postgres).</summary>
    public StorageLocation StorageLocation { get; }

    public IAmiPkiStorage Storage { get; }

    public IReadOnlyDictionary<string, IKeyProvider> KeyProviders { get; }

    public TimeProvider Time { get; }

    /// <summary>
    /// Encrypts the keys of operational identities (CMP responder, SCEP RA, OCSP responders) kept in storage, under the
    /// software key provider's passphrase (<c>AMIPKI_KEY_PASSPHRASE</c>); null without one (they then live in memory only).
    /// </summary>
    public OperationalKeyProtector? OperationalKeys { get; }

    /// <summary>Null until <see cref="LoadAuthoritiesAsync"/> (an uninitialised data directory has no CAs).</summary>
    public CaHierarchy? Authorities { get; private set; }

    public ProfileSet? Profiles { get; private set; }

    public IssuanceService? Issuance { get; private set; }

    /// <summary>
    /// Opens an existing instance: storage (applying migrations) and the key providers; loads no CA yet. Refuses, creating
    /// nothing (no directory, no database file), when the data directory (or the configured PostgreSQL database) holds no
    /// instance, i.e. no AmiPki database with CA records: a mistyped <c>--data</c> must not look like an empty, intact CA.
    /// </summary>
    /// <exception cref="NoInstanceException">Nothing to open: <c>amipki init</c> has not run there.</exception>
    public static Task<AmiPkiRuntime> OpenAsync(AmiPkiOptions options, TimeProvider time, CancellationToken cancellationToken) =>
        OpenAsync(options, time, createIfMissing: false, cancellationToken);

    /// <summary>
    /// Opens the data directory, creating it and an empty database if missing: for <c>amipki init</c> and
    /// <c>amipki ceremony create-root</c>, the commands that make an instance. Every other caller uses <see cref="OpenAsync(AmiPkiOptions, TimeProvider, CancellationToken)"/>.
    /// </summary>
    public static Task<AmiPkiRuntime> CreateOrOpenAsync(AmiPkiOptions options, TimeProvider time, CancellationToken cancellationToken) =>
        OpenAsync(options, time, createIfMissing: true, cancellationToken);

    private static async Task<AmiPkiRuntime> OpenAsync(AmiPkiOptions options, TimeProvider time, bool createIfMissing, CancellationToken cancellationToken)
    {
        var layout = new DataLayout(options.DataDirectory);
        // SQLite in the data directory unless a PostgreSQL connection string is configured (several nodes share it).
        var location = StorageLocation.Choose(options.Storage.Postgres, layout.Database);
        if (!createIfMissing)
        {
            await EnsureInstanceAsync(layout, location, cancellationToken);
        }
        layout.Create();
        var passphrase = Environment.GetEnvironmentVariable("AMIPKI_KEY_PASSPHRASE") is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : options.KeyPassphrase ?? "";
        var providers = new Dictionary<string, IKeyProvider>(StringComparer.Ordinal);
        if (passphrase.Length > 0)
        {
            IKeyProvider software = new SoftwareKeyProvider(layout.Keys, passphrase);
            if (options.Testing.SigningHoldFile is { Length: > 0 } holdFile)
            {
                // Test-only (crash tests): signatures wait while this file exists. Never set in production.
                Console.Error.WriteLine($"amipki: WARNING: test-only setting AmiPki:Testing:SigningHoldFile={holdFile} is on: " +
                                        "software-key signatures wait while that file exists");
                software = new SigningHoldKeyProvider(software, holdFile);
            }
            providers["software"] = software;
        }
        if (options.Pkcs11.IsConfigured)
        {
            // Loads the module only; the token is found and logged in to when the first CA key is opened.
            providers[Pkcs11ProviderName] = new Pkcs11KeyProvider(Pkcs11Options(options.Pkcs11, options.Pkcs11.TokenLabel!, options.Pkcs11.PinSource));
        }
        try
        {
            var storage = await AmiPkiStorageFactory.OpenAsync(location, options.NodeName, time, cancellationToken);
            return new AmiPkiRuntime(options, layout, location, storage, providers, time,
                passphrase.Length > 0 ? new OperationalKeyProtector(passphrase) : null);
        }
        catch
        {
            DisposeProviders(providers.Values);
            throw;
        }
    }

    private static async Task EnsureInstanceAsync(DataLayout layout, StorageLocation location, CancellationToken cancellationToken)
    {
        var init = $"run `amipki init --data {layout.Root}` to create one";
        if (location.IsPostgres)
        {
            // The instance is the shared database; the data directory only holds this node's key files and TLS material.
            if (!await AmiPkiStorageFactory.HoldsInstanceAsync(location, cancellationToken))
            {
                throw new NoInstanceException($"no AmiPki instance in {location} (no CA records) for data directory {layout.Root}: {init}");
            }
            return;
        }
        if (!Directory.Exists(layout.Root))
        {
            throw new NoInstanceException($"no AmiPki instance in {layout.Root}: the directory does not exist; {init}");
        }
        if (!File.Exists(layout.Database))
        {
            throw new NoInstanceException($"no AmiPki instance in {layout.Root}: it has no {Path.GetFileName(layout.Database)}; {init}");
        }
        if (!await AmiPkiStorageFactory.HoldsInstanceAsync(location, cancellationToken))
        {
            throw new NoInstanceException($"no AmiPki instance in {layout.Root}: {Path.GetFileName(layout.Database)} holds no CA; {init}");
        }
    }

    /// <summary>
    /// A provider on the root CA's own token (<c>AmiPki:Pkcs11:RootTokenLabel</c>), for ceremonies only; the caller disposes it.
    /// Its keys are recorded under <see cref="RootTokenProviderName"/>.
    /// </summary>
    /// <exception cref="KeyProviderException">No root token or module configured, or the module cannot be loaded.</exception>
    public Pkcs11KeyProvider OpenRootTokenProvider()
    {
        var pkcs11 = Options.Pkcs11;
        if (string.IsNullOrWhiteSpace(pkcs11.ModulePath) || string.IsNullOrWhiteSpace(pkcs11.RootTokenLabel))
        {
            throw new KeyProviderException("no root token configured: set AmiPki:Pkcs11:ModulePath and AmiPki:Pkcs11:RootTokenLabel " +
                                           "(or --pkcs11-module and --pkcs11-root-token)");
        }
        if (string.Equals(pkcs11.RootTokenLabel, pkcs11.TokenLabel, StringComparison.Ordinal))
        {
            // The root must stay offline: on the online token the server could sign with it.
            throw new KeyProviderException($"the root token must be its own token, not the online token '{pkcs11.TokenLabel}'");
        }
        return new Pkcs11KeyProvider(Pkcs11Options(pkcs11, pkcs11.RootTokenLabel, pkcs11.RootPinSource));
    }

    private static Pkcs11ProviderOptions Pkcs11Options(AmiPkiOptions.Pkcs11Section section, string tokenLabel, string pinSource)
    {
        var pin = Pkcs11PinSource.Parse(pinSource);
        // Unset pool size: keep the provider's own default (twice the core count).
        return section.SessionPoolSize is { } size
            ? new Pkcs11ProviderOptions { ModulePath = section.ModulePath!, TokenLabel = tokenLabel, PinSource = pin, SessionPoolSize = size }
            : new Pkcs11ProviderOptions { ModulePath = section.ModulePath!, TokenLabel = tokenLabel, PinSource = pin };
    }

    public IKeyProvider KeyProvider(string name) => KeyProviders.TryGetValue(name, out var provider)
        ? provider
        : throw new KeyProviderException(name switch
        {
            "software" => "no key passphrase: set AMIPKI_KEY_PASSPHRASE (software keys are encrypted at rest)",
            Pkcs11ProviderName => "key provider 'pkcs11' is not configured: set AmiPki:Pkcs11:ModulePath and AmiPki:Pkcs11:TokenLabel " +
                                  "(AMIPKI_Pkcs11__ModulePath, AMIPKI_Pkcs11__TokenLabel)",
            _ => $"key provider '{name}' is not configured",
        });

    /// <summary>Loads the CAs and validated profiles and builds the pipeline. Throws if the directory is not initialised.</summary>
    public async Task<IssuanceService> LoadAuthoritiesAsync(CancellationToken cancellationToken)
    {
        if (Issuance is not null)
        {
            return Issuance;
        }
        var records = await Storage.Cas.ListAsync(cancellationToken);
        if (records.Count == 0)
        {
            throw new InvalidOperationException($"no CA in {Layout.Root}: run `amipki init --data {Layout.Root}` first");
        }
        // A root whose key stays offline (its own token, recorded under a provider this instance does not configure) is
        // left out of the hierarchy served online: the CRL publisher and the OCSP responder would try to sign with it.
        // Its CRL comes from `amipki ceremony crl`; its certificate stays in the store for `amipki chain`.
        var online = records.Where(r => r.Parent is not null || KeyProviders.ContainsKey(r.KeyProvider)).ToList();
        foreach (var providerName in online.Select(r => r.KeyProvider).Distinct())
        {
            KeyProvider(providerName);
        }
        var profiles = ProfileLoader.LoadDirectory(ResolveProfilesDirectory(Options));
        var authorities = await CaLoader.LoadAsync(new ListedCaStore(online), KeyProviders, cancellationToken);
        try
        {
            // Against every stored CA: a profile may name the offline root (it then refuses to issue here, as it should).
            profiles.EnsureIssuersExist(records.Select(r => r.Name).ToList());
        }
        catch
        {
            authorities.Dispose();
            throw;
        }
        Authorities = authorities;
        Profiles = profiles;
        Issuance = new IssuanceService(authorities, profiles, Storage.Issuance, Storage.Audit, Time, credentials: Storage.Credentials,
            supersession: new StoreSupersededRevoker(Storage.Revocations, Time));
        return Issuance;
    }

    /// <summary>
    /// Creates the development hierarchy in an empty data directory (refuses if CAs or keys exist). With <c>pkcs11</c> and a
    /// root token configured, the root key goes on the root token and the issuing CA keys on the online token.
    /// </summary>
    public async Task<IReadOnlyList<CaRecord>> InitializeAsync(string keyProvider, CancellationToken cancellationToken)
    {
        var keys = KeyProvider(keyProvider);
        if (keyProvider != Pkcs11ProviderName || string.IsNullOrWhiteSpace(Options.Pkcs11.RootTokenLabel))
        {
            var initializer = new HierarchyInitializer(keys, Storage.Cas, Storage.Audit, Time);
            return await initializer.CreateAsync(HierarchyInitializer.DevelopmentHierarchy, Options.Organization, Options.PublicBaseUrl, cancellationToken);
        }

        var existing = await Storage.Cas.ListAsync(cancellationToken);
        if (existing.Count > 0)
        {
            throw new InvalidOperationException($"this data directory already holds {existing.Count} CAs ({string.Join(", ", existing.Select(c => c.Name))}); refusing to overwrite them");
        }
        using var rootKeys = OpenRootTokenProvider();
        var ceremony = new HierarchyInitializer(rootKeys, Storage.Cas, Storage.Audit, Time, RootTokenProviderName);
        var created = new List<CaRecord>();
        foreach (var definition in HierarchyInitializer.DevelopmentHierarchy)
        {
            if (definition.Parent is null)
            {
                created.Add(await ceremony.CreateRootAsync(definition, Options.Organization, Options.PublicBaseUrl, cancellationToken));
                continue;
            }
            using var key = keys.Generate(definition.Name, definition.Algorithm);
            var publicKey = PublicKey.CreateFromSubjectPublicKeyInfo(key.SubjectPublicKeyInfo.Span, out _);
            var subject = new X500DistinguishedName($"CN={definition.CommonName}, O={Options.Organization}");
            created.Add(await ceremony.CertifyAsync(definition.Name, definition.Parent, subject, publicKey, definition.ValidityYears, definition.PathLength,
                keyProvider, key.KeyReference, Options.PublicBaseUrl, cancellationToken));
        }
        return created;
    }

    public static string ResolveProfilesDirectory(AmiPkiOptions options) =>
        options.ProfilesDirectory ?? Path.Combine(AppContext.BaseDirectory, "profiles");

    public IAuditLog AuditLog => Storage.Audit;

    public async ValueTask DisposeAsync()
    {
        Authorities?.Dispose();
        await Storage.DisposeAsync();
        // After the keys: a PKCS#11 provider finalises the module when the last one goes.
        DisposeProviders(KeyProviders.Values);
    }

    private static void DisposeProviders(IEnumerable<IKeyProvider> providers)
    {
        foreach (var provider in providers)
        {
            (provider as IDisposable)?.Dispose();
        }
    }

    /// <summary>The CA records this instance serves, handed to <see cref="CaLoader"/>; read-only.</summary>
    private sealed class ListedCaStore(IReadOnlyList<CaRecord> records) : ICaStore
    {
        public Task<IReadOnlyList<CaRecord>> ListAsync(CancellationToken cancellationToken) => Task.FromResult(records);

        public Task SaveAsync(CaRecord record, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the loaded CA list is read-only");
    }
}
