using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.Crash;

/// <summary>
/// The database one fixture's servers use, of one <see cref="StorageKind"/>: how <see cref="AmiPkiServer.StartAsync"/> is
/// told to use it (environment), and a probe reading it beside the server. Disposing drops a PostgreSQL database.
/// </summary>
public sealed class TestStorage : IAsyncDisposable
{
    private readonly PostgresDatabase? _postgres;

    private TestStorage(StorageKind kind, PostgresDatabase? postgres)
    {
        Kind = kind;
        _postgres = postgres;
    }

    public StorageKind Kind { get; }

    /// <summary>The PostgreSQL connection string (null for SQLite).</summary>
    public string? ConnectionString => _postgres?.ConnectionString;

    public static async Task<TestStorage> CreateAsync(StorageKind kind) => kind switch
    {
        StorageKind.Sqlite => new TestStorage(kind, null),
        StorageKind.Postgres => new TestStorage(kind, await PostgresDatabase.CreateAsync()),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown storage kind"),
    };

    /// <summary>Added to the server's (and its CLI's) environment; null: the embedded SQLite default in the data directory.</summary>
    public IDictionary<string, string>? Environment(string? nodeName = null)
    {
        var environment = new Dictionary<string, string>();
        if (_postgres is not null)
        {
            environment["AMIPKI_POSTGRES"] = _postgres.ConnectionString;
        }
        if (nodeName is not null)
        {
            environment["AMIPKI_NodeName"] = nodeName;
        }
        return environment.Count == 0 ? null : environment;
    }

    /// <summary>One value read from the PostgreSQL database (a PostgreSQL storage only).</summary>
    public Task<object?> ScalarAsync(string sql) =>
        (_postgres ?? throw new InvalidOperationException("not a PostgreSQL storage")).ScalarAsync(sql);

    /// <summary>Reads the server's storage directly (SQLite: the data directory's file; PostgreSQL: the database).</summary>
    public Task<StoreProbe> OpenProbeAsync(string dataDirectory) => _postgres is null
        ? SqliteStoreProbe.OpenAsync(dataDirectory)
        : PostgresStoreProbe.OpenAsync(_postgres.ConnectionString);

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}
