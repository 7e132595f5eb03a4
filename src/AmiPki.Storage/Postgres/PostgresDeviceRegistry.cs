using AmiPki.Core.Devices;
using AmiPki.Storage.Postgres.Writing;
using AmiPki.Storage.Rows;
using AmiPki.Storage.Sqlite;
using Dapper;
using Npgsql;

namespace AmiPki.Storage.Postgres;

/// <summary>The device registry: manifest imports written in one transaction, lookups on pooled connections.</summary>
internal sealed class PostgresDeviceRegistry : IDeviceRegistry
{
    // The system title keeps the letter case of its first import (as in SQLite, where the key is COLLATE NOCASE).
    private const string SelectFrom = "SELECT " + DeviceRows.Columns + " FROM devices";
    private const string Upsert = """
        INSERT INTO devices (system_title, idevid_sha256, idevid_serial, manufacturer, manufacturer_lot, dcu, imported_at, kind)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (system_title_key) DO UPDATE SET
            idevid_sha256 = excluded.idevid_sha256, idevid_serial = excluded.idevid_serial,
            manufacturer = excluded.manufacturer, manufacturer_lot = excluded.manufacturer_lot,
            dcu = excluded.dcu, imported_at = excluded.imported_at, kind = excluded.kind;
        """;

    private readonly PostgresWriter _writer;
    private readonly NpgsqlDataSource _dataSource;

    public PostgresDeviceRegistry(PostgresWriter writer, NpgsqlDataSource dataSource)
    {
        _writer = writer;
        _dataSource = dataSource;
    }

    public Task<int> UpsertAsync(IReadOnlyList<DeviceRecord> devices, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(devices);
        // One operation: a manifest is imported whole, or (say, an IDevID fingerprint already used by another device)
        // not at all, with the error naming the device.
        return _writer.EnqueueAsync(async context =>
        {
            var written = 0;
            foreach (var device in devices)
            {
                await using var command = context.Command(Upsert)
                    .Text(device.SystemTitle)
                    .Text(device.IDevIdSha256)
                    .Text(device.IDevIdSerial)
                    .Text(device.Manufacturer)
                    .Text(device.ManufacturerLot)
                    .Text(device.Dcu)
                    .Text(SqliteTime.ToText(device.ImportedAt))
                    .Text(device.Kind);
                try
                {
                    written += await command.ExecuteNonQueryAsync().ConfigureAwait(false);
                }
                catch (PostgresException exception) when (PostgresErrors.IsUniqueViolation(exception))
                {
                    throw new InvalidOperationException(
                        $"device {device.SystemTitle}: its IDevID fingerprint is already registered for another device", exception);
                }
            }
            return written;
        }, cancellationToken);
    }

    public Task<DeviceRecord?> FindBySystemTitleAsync(string systemTitle, CancellationToken cancellationToken) =>
        FindAsync(SelectFrom + " WHERE system_title_key = lower(@key);", systemTitle, cancellationToken);

    public Task<DeviceRecord?> FindByIDevIdAsync(string idevIdSha256, CancellationToken cancellationToken) =>
        FindAsync(SelectFrom + " WHERE idevid_key = lower(@key);", idevIdSha256, cancellationToken);

    public async Task<IReadOnlyList<DeviceRecord>> ListAsync(string? dcu, string? manufacturerLot, int limit, int offset,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var sql = SelectFrom + """
             WHERE (@dcu::text IS NULL OR dcu = @dcu::text) AND (@lot::text IS NULL OR manufacturer_lot = @lot::text)
            ORDER BY system_title_key LIMIT @limit OFFSET @offset;
            """;
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var rows = await connection.ExecuteReaderAsync(new CommandDefinition(sql,
            new { dcu, lot = manufacturerLot, limit, offset }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return await rows.ToListAsync(DeviceRows.Read, cancellationToken).ConfigureAwait(false);
    }

    private async Task<DeviceRecord?> FindAsync(string sql, string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var row = await connection.ExecuteReaderAsync(new CommandDefinition(sql, new { key },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return await row.FirstOrNullAsync(DeviceRows.Read, cancellationToken).ConfigureAwait(false);
    }
}
