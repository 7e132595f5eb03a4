using AmiPki.Core.Storage;
using AmiPki.Storage.Rows;
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
        return await row.ReadAsync(cancellationToken).ConfigureAwait(false) ? CertificateRows.Read(row) : null;
    }

    public async Task<IReadOnlyList<CertificateRecord>> ListAsync(CertificateQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Limit);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Offset);
        await using var command = _dataSource.CreateCommand();
        var where = CertificateFilters.Where(query, "r.serial_key", (_, value) => "$" + command.Text(value).Parameters.Count);
        command.Int32(query.Limit).Int32(query.Offset);
        command.CommandText = PostgresCertificateRows.SelectFrom + where
            // Newest first by id (allocated at reservation), which every listing index ends with: no sort, stable paging.
            + $"\nORDER BY c.id DESC LIMIT ${command.Parameters.Count - 1} OFFSET ${command.Parameters.Count};";
        await using var row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await row.ToListAsync(CertificateRows.Read, cancellationToken).ConfigureAwait(false);
    }
}
