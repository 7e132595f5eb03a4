using AmiPki.Core.Audit;
using AmiPki.Core.Storage;
using AmiPki.Storage.Postgres;

namespace AmiPki.Interop.Tests.Crash;

/// <summary>The server's PostgreSQL database, opened as another node would (reads only; its writer stays idle).</summary>
public sealed class PostgresStoreProbe : StoreProbe
{
    private readonly PostgresStorage _storage;

    private PostgresStoreProbe(PostgresStorage storage) => _storage = storage;

    protected override ICertificateReader Certificates => _storage.Certificates;

    protected override IAuditLog Audit => _storage.Audit;

    public static async Task<StoreProbe> OpenAsync(string connectionString) =>
        new PostgresStoreProbe(await PostgresStorage.OpenAsync(connectionString, "crash-probe", TimeProvider.System, CancellationToken.None));

    public override ValueTask DisposeAsync() => _storage.DisposeAsync();
}
