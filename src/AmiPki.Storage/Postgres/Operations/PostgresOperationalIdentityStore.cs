using AmiPki.Core.Operations;
using AmiPki.Storage.Rows;
using AmiPki.Storage.Sqlite;
using Npgsql;

namespace AmiPki.Storage.Postgres.Operations;

/// <summary>
/// Operational identities (table <c>operational_identities</c>, migration 0007) in the shared PostgreSQL database: every
/// node presents the same CMP responder, SCEP RA and OCSP responders. Each write is its own statement on a pooled
/// connection (autocommit: durable when it returns), as in <see cref="Transactions.PostgresProtocolTransactionStore"/>;
/// the conditional statements make one of several racing nodes win: a second INSERT of the same name waits for the first
/// and does nothing, and an UPDATE on a stale version re-checks the row the winner left and matches none.
/// </summary>
internal sealed class PostgresOperationalIdentityStore : IOperationalIdentityStore
{
    private const string Insert = """
        INSERT INTO operational_identities (name, encrypted_key, certificate, not_after, previous_encrypted_key, previous_certificate,
                                            previous_not_after, updated_at, version)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1)
        ON CONFLICT (name) DO NOTHING;
        """;
    private const string Update = """
        UPDATE operational_identities SET encrypted_key = $2, certificate = $3, not_after = $4, previous_encrypted_key = $5,
            previous_certificate = $6, previous_not_after = $7, updated_at = $8, version = version + 1
        WHERE name = $1 AND version = $9;
        """;
    private const string Find = "SELECT " + OperationalIdentityRows.Columns + " FROM operational_identities WHERE name = $1;";

    private readonly NpgsqlDataSource _dataSource;

    /// <param name="dataSource">The storage's pool, which the storage (not this store) closes.</param>
    public PostgresOperationalIdentityStore(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    public async Task<OperationalIdentity?> FindAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        await using var command = _dataSource.CreateCommand(Find).Text(name);
        await using var row = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await row.FirstOrNullAsync(OperationalIdentityRows.Read, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> TryPutAsync(OperationalIdentity identity, long expectedVersion, CancellationToken cancellationToken)
    {
        OperationalIdentityRows.Validate(identity, expectedVersion);
        await using var command = _dataSource.CreateCommand(expectedVersion == 0 ? Insert : Update)
            .Text(identity.Name).Bytes(identity.EncryptedKey).Bytes(identity.CertificateDer).Text(SqliteTime.ToText(identity.NotAfter))
            .Bytes(identity.PreviousEncryptedKey).Bytes(identity.PreviousCertificateDer).Text(SqliteTime.ToText(identity.PreviousNotAfter))
            .Text(SqliteTime.ToText(identity.UpdatedAt));
        if (expectedVersion != 0)
        {
            command.Int64(expectedVersion);
        }
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }
}
