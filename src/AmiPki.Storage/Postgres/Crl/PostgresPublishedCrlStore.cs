using AmiPki.Core.Crl;
using AmiPki.Storage.Rows;
using AmiPki.Storage.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace AmiPki.Storage.Postgres.Crl;

/// <summary>
/// Published CRLs (table <c>published_crls</c>, migration 0010) in the shared PostgreSQL database: a CRL published by one
/// node or the CLI is what every node serves next. Each write is its own autocommit statement on a pooled connection, as
/// in <see cref="Transactions.PostgresProtocolTransactionStore"/>; the newest-number lookup is one primary-key index probe.
/// </summary>
internal sealed class PostgresPublishedCrlStore : IPublishedCrlStore
{
    private const string Insert = """
        INSERT INTO published_crls (issuer, kind, number, delta_base, this_update, next_update, entry_count, der)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (issuer, kind, number) DO NOTHING;
        """;
    private const string LatestNumber = "SELECT max(number) FROM published_crls WHERE issuer = $1 AND kind = $2;";
    private const string Latest = "SELECT " + PublishedCrlRows.Columns + " FROM published_crls WHERE issuer = $1 AND kind = $2 ORDER BY number DESC LIMIT 1;";
    private const string Prune = """
        DELETE FROM published_crls WHERE issuer = $1 AND kind = $2 AND number <
            (SELECT min(number) FROM (SELECT number FROM published_crls WHERE issuer = $1 AND kind = $2 ORDER BY number DESC LIMIT $3) AS kept);
        """;

    private readonly NpgsqlDataSource _dataSource;

    /// <param name="dataSource">The storage's pool, which the storage (not this store) closes.</param>
    public PostgresPublishedCrlStore(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    public async Task<bool> SaveAsync(PublishedCrl crl, CancellationToken cancellationToken)
    {
        PublishedCrlRows.Validate(crl);
        await using var command = _dataSource.CreateCommand(Insert)
            .Text(crl.Issuer).Text(PublishedCrlRows.Kind(crl.IsDelta)).Int64(crl.Number);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = (object?)crl.DeltaBaseNumber ?? DBNull.Value });
        command.Text(SqliteTime.ToText(crl.ThisUpdate)).Text(SqliteTime.ToText(crl.NextUpdate)).Int32(crl.EntryCount).Bytes(crl.Der);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<long?> LatestNumberAsync(string issuer, bool delta, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(issuer);
        await using var command = _dataSource.CreateCommand(LatestNumber).Text(issuer).Text(PublishedCrlRows.Kind(delta));
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is null or DBNull ? null : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<PublishedCrl?> FindLatestAsync(string issuer, bool delta, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(issuer);
        await using var command = _dataSource.CreateCommand(Latest).Text(issuer).Text(PublishedCrlRows.Kind(delta));
        await using var row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await row.FirstOrNullAsync(PublishedCrlRows.Read, cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> PruneAsync(string issuer, bool delta, int keep, CancellationToken cancellationToken)
    {
        PublishedCrlRows.ValidatePrune(issuer, keep);
        await using var command = _dataSource.CreateCommand(Prune).Text(issuer).Text(PublishedCrlRows.Kind(delta)).Int32(keep);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
