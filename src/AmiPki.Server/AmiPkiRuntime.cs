using AmiPki.Core.Audit;
using AmiPki.Core.Authorities;
using AmiPki.Core.Issuance;
using AmiPki.Core.Keys;
using AmiPki.Core.Profiles;
using AmiPki.Keys.Software;
using AmiPki.Storage.Sqlite;

namespace AmiPki.Server;

/// <summary>
/// An opened AmiPki instance: storage, key providers, the CA hierarchy, the profiles and the issuance pipeline.
/// Shared by <c>amipki serve</c> and the admin commands, so both run exactly the same core.
/// </summary>
public sealed class AmiPkiRuntime : IAsyncDisposable
{
    private AmiPkiRuntime(AmiPkiOptions options, DataLayout layout, SqliteStorage storage, IReadOnlyDictionary<string, IKeyProvider> keyProviders,
        TimeProvider time)
    {
        Options = options;
        Layout = layout;
        Storage = storage;
        KeyProviders = keyProviders;
        Time = time;
    }

    public AmiPkiOptions Options { get; }

    public DataLayout Layout { get; }

    public SqliteStorage Storage { get; }

    public IReadOnlyDictionary<string, IKeyProvider> KeyProviders { get; }

    public TimeProvider Time { get; }

    /// <summary>Null until <see cref="LoadAuthoritiesAsync"/> (an uninitialised data directory has no CAs).</summary>
    public CaHierarchy? Authorities { get; private set; }

    public ProfileSet? Profiles { get; private set; }

    public IssuanceService? Issuance { get; private set; }

    /// <summary>Opens storage (applying migrations) and the key providers; loads no CA yet.</summary>
    public static async Task<AmiPkiRuntime> OpenAsync(AmiPkiOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        var layout = new DataLayout(options.DataDirectory);
        layout.Create();
        var passphrase = Environment.GetEnvironmentVariable("AMIPKI_KEY_PASSPHRASE") is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : options.KeyPassphrase ?? "";
        var providers = new Dictionary<string, IKeyProvider>(StringComparer.Ordinal);
        if (passphrase.Length > 0)
        {
            providers["software"] = new SoftwareKeyProvider(layout.Keys, passphrase);
        }
        var storage = await SqliteStorage.OpenAsync(layout.Database, options.NodeName, time, cancellationToken);
        return new AmiPkiRuntime(options, layout, storage, providers, time);
    }

    public IKeyProvider KeyProvider(string name) => KeyProviders.TryGetValue(name, out var provider)
        ? provider
        : throw new KeyProviderException(name == "software"
            ? "no key passphrase: set AMIPKI_KEY_PASSPHRASE (software keys are encrypted at rest)"
            : $"key provider '{name}' is not configured");

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
        foreach (var providerName in records.Select(r => r.KeyProvider).Distinct())
        {
            KeyProvider(providerName);
        }
        var profiles = ProfileLoader.LoadDirectory(ResolveProfilesDirectory(Options));
        var authorities = await CaLoader.LoadAsync(Storage.Cas, KeyProviders, cancellationToken);
        try
        {
            profiles.EnsureIssuersExist(authorities.Names);
        }
        catch
        {
            authorities.Dispose();
            throw;
        }
        Authorities = authorities;
        Profiles = profiles;
        Issuance = new IssuanceService(authorities, profiles, Storage.Issuance, Storage.Audit, Time);
        return Issuance;
    }

    /// <summary>Creates the development hierarchy in an empty data directory (refuses if CAs or keys exist).</summary>
    public Task<IReadOnlyList<CaRecord>> InitializeAsync(string keyProvider, CancellationToken cancellationToken)
    {
        var initializer = new HierarchyInitializer(KeyProvider(keyProvider), Storage.Cas, Storage.Audit, Time);
        return initializer.CreateAsync(HierarchyInitializer.DevelopmentHierarchy, Options.Organization, Options.PublicBaseUrl, cancellationToken);
    }

    public static string ResolveProfilesDirectory(AmiPkiOptions options) =>
        options.ProfilesDirectory ?? Path.Combine(AppContext.BaseDirectory, "profiles");

    public IAuditLog AuditLog => Storage.Audit;

    public async ValueTask DisposeAsync()
    {
        Authorities?.Dispose();
        await Storage.DisposeAsync();
    }
}
