using AmiPki.Core.Storage;
using AmiPki.Storage.Sqlite;
using Npgsql;

namespace AmiPki.Storage.Postgres;

/// <summary>
/// Certificate lookups on pooled connections: one primary-key query for OCSP, indexed filters for listings. Any node
/// answers for certificates any other node issued, as soon as that node's commit returns.
/// </summary>
internal sealed class PostgresCertificateReader : ICertificateReader
{
    private const string FindSql = PostgresCertificateRows.SelectFrom + "\nWHERE c.issuer = $1 AND c.serial_key = lower($2);";

    private readonly NpgsqlDataSource _dataSource;

    public PostgresCertificateReader(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    public async Task<CertificateRecord?> FindAsync(string issuer, string serialHex, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(serialHex);
        await using var command = _dataSource.CreateCommand(FindSql).Text(issuer).Text(serialHex);
        await using var row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await row.ReadAsync(cancellationToken).ConfigureAwait(false) ? PostgresCertificateRows.Read(row) : null;
    }

    public async Task<IReadOnlyList<CertificateRecord>> ListAsync(CertificateQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Limit);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Offset);
        await using var command = _dataSource.CreateCommand();
        var where = new List<string>();
        void Filter(string column, string op, string? value)
        {
            if (value is not null)
            {
                command.Text(value);
                where.Add($"{column} {op} ${command.Parameters.Count}");
            }
        }
        Filter("c.issuer", "=", query.Issuer);
        Filter("c.profile", "=", query.Profile);
        if (query.State is { } state)
        {
            where.Add(CertificateStates.Condition(state));
        }
        Filter("c.not_after", "<", SqliteTime.ToText(query.ExpiringBefore));
        Filter("c.system_title", "=", query.SystemTitle);
        Filter("c.dcu", "=", query.Dcu);
        Filter("c.manufacturer_lot", "=", query.ManufacturerLot);
        Filter("c.subject", "=", query.Subject);
        if (query.Revoked is { } revoked)
        {
            where.Add(revoked ? "r.serial_key IS NOT NULL" : "r.serial_key IS NULL");
        }
        command.Int32(query.Limit).Int32(query.Offset);
        command.CommandText = PostgresCertificateRows.SelectFrom
            + (where.Count > 0 ? "\nWHERE " + string.Join(" AND ", where) : "")
            // Newest first by id (allocated at reservation), which every listing index ends with: no sort, stable paging.
            + $"\nORDER BY c.id DESC LIMIT ${command.Parameters.Count - 1} OFFSET ${command.Parameters.Count};";
        var records = new List<CertificateRecord>();
        await using var row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await row.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            records.Add(PostgresCertificateRows.Read(row));
        }
        return records;
    }
}
