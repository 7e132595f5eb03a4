using AmiPki.Core.Audit;
using AmiPki.Core.Storage;
using AmiPki.Storage.Sqlite;

namespace AmiPki.Interop.Tests.Crash;

/// <summary>The data directory's SQLite file, opened as another process would (WAL: readers never block the server).</summary>
public sealed class SqliteStoreProbe : StoreProbe
{
    private readonly SqliteStorage _storage;

    private SqliteStoreProbe(SqliteStorage storage) => _storage = storage;

    protected override ICertificateReader Certificates => _storage.Certificates;

    protected override IAuditLog Audit => _storage.Audit;

    public static async Task<StoreProbe> OpenAsync(string dataDirectory) =>
        new SqliteStoreProbe(await SqliteStorage.OpenAsync(Path.Combine(dataDirectory, "amipki.db"), "crash-probe", TimeProvider.System, CancellationToken.None));

    public override ValueTask DisposeAsync() => _storage.DisposeAsync();
}
