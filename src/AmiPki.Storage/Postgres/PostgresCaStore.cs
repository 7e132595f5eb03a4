using AmiPki.Core.Authorities;
using AmiPki.Storage.Postgres.Writing;
using AmiPki.Storage.Rows;
using AmiPki.Storage.Sqlite;
using Dapper;
using Npgsql;

namespace AmiPki.Storage.Postgres;

/// <summary>The CA hierarchy's records (few rows, read at start-up and after a CA renewal).</summary>
internal sealed class PostgresCaStore : ICaStore
{
    private const string SelectAll = "SELECT " + CaRows.Columns + " FROM cas ORDER BY created_at, name;";
    private const string Upsert = """
        INSERT INTO cas (name, parent, certificate_der, key_provider, key_reference, crl_url, ocsp_url, ca_issuers_url, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        ON CONFLICT (name) DO UPDATE SET
            parent = excluded.parent, certificate_der = excluded.certificate_der, key_provider = excluded.key_provider,
            key_reference = excluded.key_reference, crl_url = excluded.crl_url, ocsp_url = excluded.ocsp_url,
            ca_issuers_url = excluded.ca_issuers_url, created_at = excluded.created_at;
        """;

    private readonly PostgresWriter _writer;
    private readonly NpgsqlDataSource _dataSource;

    public PostgresCaStore(PostgresWriter writer, NpgsqlDataSource dataSource)
    {
        _writer = writer;
        _dataSource = dataSource;
    }

    public async Task<IReadOnlyList<CaRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var rows = await connection.ExecuteReaderAsync(new CommandDefinition(SelectAll, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return await rows.ToListAsync(CaRows.Read, cancellationToken).ConfigureAwait(false);
    }

    public Task SaveAsync(CaRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return _writer.EnqueueAsync(async context =>
        {
            await using var command = context.Command(Upsert)
                .Text(record.Name)
                .Text(record.Parent)
                .Bytes(record.CertificateDer)
                .Text(record.KeyProvider)
                .Text(record.KeyReference)
                .Text(record.CrlUrl)
                .Text(record.OcspUrl)
                .Text(record.CaIssuersUrl)
                .Text(SqliteTime.ToText(record.CreatedAt));
            return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }, cancellationToken);
    }
}
