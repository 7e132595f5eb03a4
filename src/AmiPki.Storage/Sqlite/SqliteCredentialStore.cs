using AmiPki.Core.Credentials;
using AmiPki.Storage.Rows;
using AmiPki.Storage.Sqlite.Writing;
using Dapper;

namespace AmiPki.Storage.Sqlite;

/// <summary>
/// Enrollment credentials. Consuming one goes through the writer as a single conditional UPDATE, so of two racing
/// enrollments with the same one-time secret exactly one sees its row change.
/// </summary>
internal sealed class SqliteCredentialStore : ICredentialStore
{
    private const string SelectFrom = "SELECT " + CredentialRows.Columns + " FROM enrollment_credentials";
    private const string Insert = """
        INSERT INTO enrollment_credentials (kind, name, secret_hash, profiles, subject, expires_at, one_time, used_at, created_at)
        VALUES (@kind, @name, @secret_hash, @profiles, @subject, @expires_at, @one_time, @used_at, @created_at);
        """;
    // A one-time credential is consumed once; any other is marked with its last use. Neither is usable once expired.
    private const string Consume = """
        UPDATE enrollment_credentials SET used_at = @at
        WHERE kind = @kind AND name = @name
          AND (one_time = 0 OR used_at IS NULL)
          AND (expires_at IS NULL OR expires_at > @at);
        """;

    private readonly SqliteWriter _writer;
    private readonly SqliteReadPool _reads;

    public SqliteCredentialStore(SqliteWriter writer, SqliteReadPool reads)
    {
        _writer = writer;
        _reads = reads;
    }

    public Task AddAsync(EnrollmentCredential credential, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credential);
        var profiles = CredentialRows.ProfilesText(credential);
        return _writer.EnqueueAsync(context =>
        {
            try
            {
                return context.Command(Insert)
                    .Set("@kind", credential.Kind)
                    .Set("@name", credential.Name)
                    .Set("@secret_hash", credential.SecretHash)
                    .Set("@profiles", profiles)
                    .Set("@subject", credential.Subject)
                    .Set("@expires_at", SqliteTime.ToText(credential.ExpiresAt))
                    .Set("@one_time", credential.OneTime ? 1 : 0)
                    .Set("@used_at", SqliteTime.ToText(credential.UsedAt))
                    .Set("@created_at", SqliteTime.ToText(credential.CreatedAt))
                    .ExecuteNonQuery();
            }
            catch (Microsoft.Data.Sqlite.SqliteException exception) when (exception.SqliteErrorCode == 19) // SQLITE_CONSTRAINT
            {
                throw new InvalidOperationException($"credential {credential.Kind} '{credential.Name}' already exists", exception);
            }
        }, cancellationToken);
    }

    public async Task<EnrollmentCredential?> FindAsync(string kind, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(name);
        using var lease = _reads.Rent();
        await using var row = await lease.Connection.Connection.ExecuteReaderAsync(new CommandDefinition(
            SelectFrom + " WHERE kind = @kind AND name = @name;", new { kind, name }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return await row.FirstOrNullAsync(CredentialRows.Read, cancellationToken).ConfigureAwait(false);
    }

    /// <returns>False if the credential is unknown, expired at <paramref name="at"/>, or one-time and already used.</returns>
    public Task<bool> TryConsumeAsync(string kind, string name, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(name);
        var atText = SqliteTime.ToText(at);
        return _writer.EnqueueAsync(context =>
            context.Command(Consume).Set("@kind", kind).Set("@name", name).Set("@at", atText).ExecuteNonQuery() == 1, cancellationToken);
    }

    public async Task<IReadOnlyList<EnrollmentCredential>> ListAsync(string? kind, CancellationToken cancellationToken)
    {
        using var lease = _reads.Rent();
        await using var rows = await lease.Connection.Connection.ExecuteReaderAsync(new CommandDefinition(
            SelectFrom + " WHERE @kind IS NULL OR kind = @kind ORDER BY kind, name;", new { kind }, cancellationToken: cancellationToken))
            .ConfigureAwait(false);
        return await rows.ToListAsync(CredentialRows.Read, cancellationToken).ConfigureAwait(false);
    }

    public Task<bool> DeleteAsync(string kind, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(name);
        return _writer.EnqueueAsync(context =>
            context.Command("DELETE FROM enrollment_credentials WHERE kind = @kind AND name = @name;").Set("@kind", kind).Set("@name", name)
                .ExecuteNonQuery() == 1, cancellationToken);
    }
}
