using AmiPki.Core.Authorities;
using AmiPki.Storage.Sqlite.Writing;
using Dapper;

namespace AmiPki.Storage.Sqlite;

/// <summary>The CA hierarchy's records (few rows, read at start-up and after a CA renewal).</summary>
internal sealed class SqliteCaStore : ICaStore
{
    private const string Upsert = """
        INSERT INTO cas (name, parent, certificate_der, key_provider, key_reference, crl_url, ocsp_url, ca_issuers_url, created_at)
        VALUES (@name, @parent, @der, @key_provider, @key_reference, @crl_url, @ocsp_url, @ca_issuers_url, @created_at)
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
        var rows = await lease.Connection.Connection.QueryAsync<CaRow>(new CommandDefinition(SelectAll, cancellationToken: cancellationToken))
            .ConfigureAwait(false);
        return rows.Select(r => new CaRecord(r.Name, r.Parent, r.CertificateDer, r.KeyProvider, r.KeyReference, r.CrlUrl, r.OcspUrl,
            r.CaIssuersUrl, SqliteTime.FromText(r.CreatedAt))).ToList();
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
