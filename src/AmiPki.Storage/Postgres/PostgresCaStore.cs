using AmiPki.Core.Authorities;
using AmiPki.Storage.Postgres.Writing;
using AmiPki.Storage.Sqlite;
using Dapper;
using Npgsql;

namespace AmiPki.Storage.Postgres;

/// <summary>The CA hierarchy's records (few rows, read at start-up and after a CA renewal).</summary>
internal sealed class PostgresCaStore : ICaStore
{
    private const string Upsert = """
        INSERT INTO cas (name, parent, certificate_der, key_provider, key_reference, crl_url, ocsp_url, ca_issuers_url, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        ON CONFLICT (name) DO UPDATE SET
            parent = excluded.parent, certificate_der = excluded.certificate_der, key_provider = excluded.key_provider,
            key_reference = excluded.key_reference, crl_url = excluded.crl_url, ocsp_url = excluded.ocsp_url,
            ca_issuers_url = excluded.ca_issuers_url, created_at = excluded.created_at;
        """;
    private const string SelectAll = """
        SELECT name AS Name, parent AS Parent, certificate_der AS CertificateDer, key_provider AS KeyProvider,
               key_reference AS KeyReference, crl_url AS CrlUrl, ocsp_url AS OcspUrl, ca_issuers_url AS CaIssuersUrl,
               created_at AS CreatedAt
        FROM cas ORDER BY created_at, name;
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
        var rows = await connection.QueryAsync<CaRow>(new CommandDefinition(SelectAll, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new CaRecord(r.Name, r.Parent, r.CertificateDer, r.KeyProvider, r.KeyReference, r.CrlUrl, r.OcspUrl,
            r.CaIssuersUrl, SqliteTime.FromText(r.CreatedAt))).ToList();
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

    /// <summary>A row as Dapper reads it; times are text (see <see cref="SqliteTime"/>).</summary>
    private sealed class CaRow
    {
        public string Name { get; set; } = "";
        public string? Parent { get; set; }
        public byte[] CertificateDer { get; set; } = [];
        public string KeyProvider { get; set; } = "";
        public string KeyReference { get; set; } = "";
        public string? CrlUrl { get; set; }
        public string? OcspUrl { get; set; }
        public string? CaIssuersUrl { get; set; }
        public string CreatedAt { get; set; } = "";
    }
}
