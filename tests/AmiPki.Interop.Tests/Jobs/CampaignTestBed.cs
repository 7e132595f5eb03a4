using System.Security.Cryptography;
using AmiPki.Core.Audit;
using AmiPki.Core.Campaigns;
using AmiPki.Core.Profiles;
using AmiPki.Core.Storage;
using AmiPki.Interop.Tests.Support;
using AmiPki.Server.Jobs;
using AmiPki.Storage.Sqlite;

namespace AmiPki.Interop.Tests.Jobs;

/// <summary>
/// A real SQLite store in a temp directory on a manual clock, with the shipped profiles, and certificate rows written
/// through the ordinary issuance store (their DER is a placeholder: campaigns read only the stored columns).
/// </summary>
public sealed class CampaignTestBed : IAsyncDisposable
{
    private CampaignTestBed(string directory, SqliteStorage storage, ManualClock clock, ProfileSet profiles)
    {
        Directory = directory;
        Storage = storage;
        Clock = clock;
        Profiles = profiles;
    }

    public string Directory { get; }

    public SqliteStorage Storage { get; }

    public ManualClock Clock { get; }

    public ProfileSet Profiles { get; }

    public static async Task<CampaignTestBed> CreateAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "amipki-campaign-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        var clock = new ManualClock(new DateTimeOffset(2031, 3, 1, 8, 0, 0, TimeSpan.Zero));
        var storage = await SqliteStorage.OpenAsync(Path.Combine(directory, "amipki.db"), "node-1", clock, CancellationToken.None);
        return new CampaignTestBed(directory, storage, clock, ProfileLoader.LoadDirectory(RepositoryPaths.Profiles));
    }

    /// <summary>The engine as the server builds it, with a seeded jitter source so a failure reproduces.</summary>
    public RenewalCampaignEngine Engine(CampaignOptions options, ICampaignNotifier notifier, int seed = 20310301) =>
        new(Storage.Campaigns, notifier, Profiles, options, Clock, Storage.Audit, new Random(seed));

    /// <summary>Records an issued meter certificate (profile meter-s1-signing) expiring at <paramref name="notAfter"/>.</summary>
    public async Task<string> AddMeterCertificateAsync(string systemTitle, string? dcu, DateTimeOffset notAfter)
    {
        var serial = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var now = Clock.GetUtcNow();
        var intent = new IssuanceIntent("issuing-s1", serial, "meter-s1-signing", $"CN={systemTitle}", notAfter.AddDays(-3650), notAfter,
            "test", "est-coaps", now, SystemTitle: systemTitle, Dcu: dcu);
        Assert.That(await Storage.Issuance.TryReserveAsync(intent, CancellationToken.None), Is.True);
        var der = RandomNumberGenerator.GetBytes(64);
        await Storage.Issuance.CompleteAsync("issuing-s1", serial, der, Convert.ToHexString(SHA256.HashData(der)),
            new AuditEvent(now, "issuance", "test", "success", serial), CancellationToken.None);
        return serial;
    }

    public async ValueTask DisposeAsync()
    {
        await Storage.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory.
        }
    }

    /// <summary>A webhook notifier to <paramref name="url"/> with the given options.</summary>
    public static WebhookCampaignNotifier Webhook(CampaignOptions options, string? url)
    {
        options.WebhookUrl = url;
        return new WebhookCampaignNotifier(options, TimeSpan.FromSeconds(10));
    }
}
