using AmiPki.Core.Audit;
using AmiPki.Core.Storage;

namespace AmiPki.Storage.Tests.Contract;

/// <summary>
/// What every storage backend must do, written once against the core's interfaces. A dialect runs them by deriving a
/// fixture that supplies its <see cref="StorageFactory"/> (SQLite now; PostgreSQL later, issue 10). The tests are split
/// by interface over the partial class's files.
/// </summary>
public abstract partial class StorageContractTests
{
    protected const string Node = "node-a";
    protected const string Issuer = "issuing-p256";

    /// <summary>A fixed time with sub-microsecond ticks, to show times survive storage to the tick.</summary>
    protected static readonly DateTimeOffset T0 = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero).AddTicks(1_234_567);

    private StorageFactory? _factory;

    protected StorageFactory Factory => _factory ?? throw new InvalidOperationException("no factory");

    protected IAmiPkiStorage Storage { get; private set; } = null!;

    protected abstract StorageFactory CreateFactory();

    [SetUp]
    public async Task OpenStorage()
    {
        _factory = CreateFactory();
        Storage = await Factory.OpenAsync(Node, TimeProvider.System);
    }

    [TearDown]
    public async Task CloseStorage()
    {
        await Storage.DisposeAsync();
        await Factory.DisposeAsync();
    }

    /// <summary>Closes the storage (finishing queued writes) and opens the same database again.</summary>
    protected async Task ReopenAsync(string node = Node)
    {
        await Storage.DisposeAsync();
        Storage = await Factory.OpenAsync(node, TimeProvider.System);
    }

    protected static string Serial(int n) => $"7f{n:x30}";

    protected static IssuanceIntent Intent(string serial, string profile = "meter-s1-sign", string? systemTitle = null,
        string? dcu = null, string? lot = null, DateTimeOffset? notAfter = null, DateTimeOffset? createdAt = null, string issuer = Issuer) =>
        new(issuer, serial, profile, systemTitle is null ? "CN=hes01" : $"CN={systemTitle}", T0, notAfter ?? T0.AddYears(10),
            "est:device", "est-coaps", createdAt ?? T0, systemTitle, dcu, lot, systemTitle is null ? null : $"dev-{systemTitle}");

    protected static AuditEvent IssuedEvent(string serial) => new(T0, "issuance", "est:device", "success", $"serial={serial}");

    protected static byte[] Der(string serial) => System.Text.Encoding.ASCII.GetBytes("DER of " + serial);

    /// <summary>Reserves and completes: an issued certificate.</summary>
    protected async Task IssueAsync(IssuanceIntent intent)
    {
        Assert.That(await Storage.Issuance.TryReserveAsync(intent, CancellationToken.None), Is.True, $"reserve {intent.SerialHex}");
        await Storage.Issuance.CompleteAsync(intent.Issuer, intent.SerialHex, Der(intent.SerialHex), "aa" + intent.SerialHex,
            IssuedEvent(intent.SerialHex), CancellationToken.None);
    }

    protected async Task<AuditVerification> VerifyAuditAsync()
    {
        var heads = await Storage.Audit.ReadHeadsAsync(CancellationToken.None);
        return await AuditChainVerifier.VerifyAsync(Storage.Audit.ReadAllAsync(CancellationToken.None), heads, CancellationToken.None);
    }

    protected async Task<List<AuditEntry>> ReadAuditAsync()
    {
        var entries = new List<AuditEntry>();
        await foreach (var entry in Storage.Audit.ReadAllAsync(CancellationToken.None))
        {
            entries.Add(entry);
        }
        return entries;
    }
}
