using AmiPki.Core.Operations;
using AmiPki.Storage.Rows;
using AmiPki.Storage.Sqlite.Writing;

namespace AmiPki.Storage.Sqlite.Operations;

/// <summary>
/// Operational identities (table <c>operational_identities</c>, migration 0007). Writes are rare (first use, renewal) and
/// go through the group-committing writer like every other write, durable when their task completes; reads use the read
/// connections. The compare-and-set is in the statements: the writer runs one at a time, and a second process's writer
/// waits for SQLite's write lock, so an insert of a name that exists, or an update with a stale version, changes nothing.
/// </summary>
internal sealed class SqliteOperationalIdentityStore : IOperationalIdentityStore
{
    private const string Insert = """
        INSERT INTO operational_identities (name, encrypted_key, certificate, not_after, previous_encrypted_key, previous_certificate,
                                            previous_not_after, updated_at, version)
        VALUES (@name, @encrypted_key, @certificate, @not_after, @previous_encrypted_key, @previous_certificate, @previous_not_after, @updated_at, 1)
        ON CONFLICT (name) DO NOTHING;
        """;
    private const string Update = """
        UPDATE operational_identities SET encrypted_key = @encrypted_key, certificate = @certificate, not_after = @not_after,
            previous_encrypted_key = @previous_encrypted_key, previous_certificate = @previous_certificate, previous_not_after = @previous_not_after,
            updated_at = @updated_at, version = version + 1
        WHERE name = @name AND version = @expected;
        """;
    private const string Find = "SELECT " + OperationalIdentityRows.Columns + " FROM operational_identities WHERE name = @name;";

    private readonly SqliteWriter _writer;
    private readonly SqliteReadPool _reads;

    /// <param name="writer">The storage's writer, which the storage (not this store) closes; likewise <paramref name="reads"/>.</param>
    public SqliteOperationalIdentityStore(SqliteWriter writer, SqliteReadPool reads)
    {
        _writer = writer;
        _reads = reads;
    }

    public Task<OperationalIdentity?> FindAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        using var lease = _reads.Rent();
        using var row = lease.Connection.Command(Find).Set("@name", name).ExecuteReader();
        return Task.FromResult(row.Read() ? OperationalIdentityRows.Read(row) : null);
    }

    public Task<bool> TryPutAsync(OperationalIdentity identity, long expectedVersion, CancellationToken cancellationToken)
    {
        OperationalIdentityRows.Validate(identity, expectedVersion);
        return _writer.EnqueueAsync(context =>
        {
            var command = context.Command(expectedVersion == 0 ? Insert : Update);
            if (expectedVersion != 0)
            {
                command.Set("@expected", expectedVersion);
            }
            return command
            .Set("@name", identity.Name)
            .Set("@encrypted_key", identity.EncryptedKey)
            .Set("@certificate", identity.CertificateDer)
            .Set("@not_after", SqliteTime.ToText(identity.NotAfter))
            .Set("@previous_encrypted_key", identity.PreviousEncryptedKey)
            .Set("@previous_certificate", identity.PreviousCertificateDer)
            .Set("@previous_not_after", SqliteTime.ToText(identity.PreviousNotAfter))
            .Set("@updated_at", SqliteTime.ToText(identity.UpdatedAt))
            .ExecuteNonQuery() == 1;
        }, cancellationToken);
    }
}
