using AmiPki.Core.Devices;
using AmiPki.Storage.Rows;
using AmiPki.Storage.Sqlite.Writing;
using Dapper;

namespace AmiPki.Storage.Sqlite;

/// <summary>The device registry: manifest imports written in one transaction, lookups on read connections.</summary>
internal sealed class SqliteDeviceRegistry : IDeviceRegistry
{
    private const string SelectFrom = "SELECT " + DeviceRows.Columns + " FROM devices";
    private const string Upsert = """
        INSERT INTO devices (system_title, idevid_sha256, idevid_serial, manufacturer, manufacturer_lot, dcu, imported_at, kind)
        VALUES (@system_title, @idevid_sha256, @idevid_serial, @manufacturer, @lot, @dcu, @imported_at, @kind)
        ON CONFLICT (system_title) DO UPDATE SET
            idevid_sha256 = excluded.idevid_sha256, idevid_serial = excluded.idevid_serial,
            manufacturer = excluded.manufacturer, manufacturer_lot = excluded.manufacturer_lot,
            dcu = excluded.dcu, imported_at = excluded.imported_at, kind = excluded.kind;
        """;

    private readonly SqliteWriter _writer;
    private readonly SqliteReadPool _reads;

    public SqliteDeviceRegistry(SqliteWriter writer, SqliteReadPool reads)
    {
        _writer = writer;
        _reads = reads;
    }

    public Task<int> UpsertAsync(IReadOnlyList<DeviceRecord> devices, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(devices);
        // One operation: a manifest is imported whole, or (say, an IDevID fingerprint already used by another device)
        // not at all, with the error naming the device.
        return _writer.EnqueueAsync(context =>
        {
            var command = context.Command(Upsert);
            var written = 0;
            foreach (var device in devices)
            {
                try
                {
                    written += command
                        .Set("@system_title", device.SystemTitle)
                        .Set("@idevid_sha256", device.IDevIdSha256)
                        .Set("@idevid_serial", device.IDevIdSerial)
                        .Set("@manufacturer", device.Manufacturer)
                        .Set("@lot", device.ManufacturerLot)
                        .Set("@dcu", device.Dcu)
                        .Set("@imported_at", SqliteTime.ToText(device.ImportedAt))
                        .Set("@kind", device.Kind)
                        .ExecuteNonQuery();
                }
                catch (Microsoft.Data.Sqlite.SqliteException exception) when (exception.SqliteErrorCode == 19) // SQLITE_CONSTRAINT
                {
                    throw new InvalidOperationException(
                        $"device {device.SystemTitle}: its IDevID fingerprint is already registered for another device", exception);
                }
            }
            return written;
        }, cancellationToken);
    }

    public Task<DeviceRecord?> FindBySystemTitleAsync(string systemTitle, CancellationToken cancellationToken) =>
        FindAsync(SelectFrom + " WHERE system_title = @key;", systemTitle, cancellationToken);

    public Task<DeviceRecord?> FindByIDevIdAsync(string idevIdSha256, CancellationToken cancellationToken) =>
        FindAsync(SelectFrom + " WHERE idevid_sha256 = @key;", idevIdSha256, cancellationToken);

    public async Task<IReadOnlyList<DeviceRecord>> ListAsync(string? dcu, string? manufacturerLot, int limit, int offset,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        using var lease = _reads.Rent();
        var sql = SelectFrom + """
             WHERE (@dcu IS NULL OR dcu = @dcu) AND (@lot IS NULL OR manufacturer_lot = @lot)
            ORDER BY system_title LIMIT @limit OFFSET @offset;
            """;
        await using var rows = await lease.Connection.Connection.ExecuteReaderAsync(new CommandDefinition(sql,
            new { dcu, lot = manufacturerLot, limit, offset }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return await rows.ToListAsync(DeviceRows.Read, cancellationToken).ConfigureAwait(false);
    }

    private async Task<DeviceRecord?> FindAsync(string sql, string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        using var lease = _reads.Rent();
        await using var row = await lease.Connection.Connection.ExecuteReaderAsync(new CommandDefinition(sql, new { key },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return await row.FirstOrNullAsync(DeviceRows.Read, cancellationToken).ConfigureAwait(false);
    }
}
