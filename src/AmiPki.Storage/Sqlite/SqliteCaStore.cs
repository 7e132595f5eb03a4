using AmiPki.Core.Authorities;
using AmiPki.Storage.Rows;
using AmiPki.Storage.Sqlite.Writing;
using Dapper;

namespace AmiPki.Storage.Sqlite;

/// <summary>The CA hierarchy's records (few rows, read at start-up and after a CA renewal).</summary>
internal sealed class SqliteCaStore : ICaStore
{
    private const string SelectAll = "SELECT " + CaRows.Columns + " FROM cas ORDER BY created_at, name;";
    private const string Upsert = """
        INSERT INTO cas (name, parent, certificate_der, key_provider, key_reference, crl_url, ocsp_url, ca_issuers_url, created_at)
        VALUES (@name, @parent, @der, @key_provider, @key_reference, @crl_url, @ocsp_url, @ca_issuers_url, @created_at)
        ON CONFLICT (name) DO UPDATE SET
            parent = excluded.parent, certificate_der = excluded.certificate_der, key_provider = excluded.key_provider,
            key_reference = excluded.key_reference, crl_url = excluded.crl_url, ocsp_url = excluded.ocsp_url,
            ca_issuers_url = excluded.ca_issuers_url, created_at = excluded.created_at;
        """;

    private readonly SqliteWriter _writer;
    private readonly SqliteReadPool _reads;

    public SqliteCaStore(SqliteWriter writer, SqliteReadPool reads)
    {
        _writer = writer;
        _reads = reads;
    }

    public async Task<IReadOnlyList<CaRecord>> ListAsync(CancellationToken cancellationToken)
    {
        using var lease = _reads.Rent();
        await using var rows = await lease.Connection.Connection.ExecuteReaderAsync(new CommandDefinition(SelectAll, cancellationToken: cancellationToken))
            .ConfigureAwait(false);
        return await rows.ToListAsync(CaRows.Read, cancellationToken).ConfigureAwait(false);
    }

    public Task SaveAsync(CaRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return _writer.EnqueueAsync(context => context.Command(Upsert)
            .Set("@name", record.Name)
            .Set("@parent", record.Parent)
            .Set("@der", record.CertificateDer)
            .Set("@key_provider", record.KeyProvider)
            .Set("@key_reference", record.KeyReference)
            .Set("@crl_url", record.CrlUrl)
            .Set("@ocsp_url", record.OcspUrl)
            .Set("@ca_issuers_url", record.CaIssuersUrl)
            .Set("@created_at", SqliteTime.ToText(record.CreatedAt))
            .ExecuteNonQuery(), cancellationToken);
    }
}
