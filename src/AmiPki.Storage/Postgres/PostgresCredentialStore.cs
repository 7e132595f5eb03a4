using AmiPki.Core.Credentials;
using AmiPki.Storage.Postgres.Writing;
using AmiPki.Storage.Rows;
using AmiPki.Storage.Sqlite;
using Dapper;
using Npgsql;

namespace AmiPki.Storage.Postgres;

/// <summary>
/// Enrollment credentials. Consuming one is a single conditional UPDATE: of two racing enrollments with the same
/// one-time secret, on one node or two, the second waits for the first's row lock, re-checks the condition, and
/// changes nothing.
/// </summary>
internal sealed class PostgresCredentialStore : ICredentialStore
{
    private const string SelectFrom = "SELECT " + CredentialRows.Columns + " FROM enrollment_credentials";
    private const string Insert = """
        INSERT INTO enrollment_credentials (kind, name, secret_hash, profiles, subject, expires_at, one_time, used_at, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9);
        """;
    // A one-time credential is consumed once; any other is marked with its last use. Neither is usable once expired.
    private const string Consume = """
        UPDATE enrollment_credentials SET used_at = $3
        WHERE kind = $1 AND name = $2
          AND (one_time = 0 OR used_at IS NULL)
          AND (expires_at IS NULL OR expires_at > $3);
        """;

    private readonly PostgresWriter _writer;
    private readonly NpgsqlDataSource _dataSource;

    public PostgresCredentialStore(PostgresWriter writer, NpgsqlDataSource dataSource)
    {
        _writer = writer;
        _dataSource = dataSource;
    }

    public Task AddAsync(EnrollmentCredential credential, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credential);
        var profiles = CredentialRows.ProfilesText(credential);
        return _writer.EnqueueAsync(async context =>
        {
            await using var command = context.Command(Insert)
                .Text(credential.Kind)
                .Text(credential.Name)
                .Text(credential.SecretHash)
                .Text(profiles)
                .Text(credential.Subject)
                .Text(SqliteTime.ToText(credential.ExpiresAt))
                .Int32(credential.OneTime ? 1 : 0)
                .Text(SqliteTime.ToText(credential.UsedAt))
                .Text(SqliteTime.ToText(credential.CreatedAt));
            try
            {
                return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            catch (PostgresException exception) when (PostgresErrors.IsUniqueViolation(exception))
            {
                throw new InvalidOperationException($"credential {credential.Kind} '{credential.Name}' already exists", exception);
            }
        }, cancellationToken);
    }

    public async Task<EnrollmentCredential?> FindAsync(string kind, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(name);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var row = await connection.ExecuteReaderAsync(new CommandDefinition(
            SelectFrom + " WHERE kind = @kind AND name = @name;", new { kind, name }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return await row.FirstOrNullAsync(CredentialRows.Read, cancellationToken).ConfigureAwait(false);
    }

    /// <returns>False if the credential is unknown, expired at <paramref name="at"/>, or one-time and already used.</returns>
    public Task<bool> TryConsumeAsync(string kind, string name, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(name);
        var atText = SqliteTime.ToText(at);
        return _writer.EnqueueAsync(async context =>
        {
            await using var command = context.Command(Consume).Text(kind).Text(name).Text(atText);
            return await command.ExecuteNonQueryAsync().ConfigureAwait(false) == 1;
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<EnrollmentCredential>> ListAsync(string? kind, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var rows = await connection.ExecuteReaderAsync(new CommandDefinition(
            SelectFrom + " WHERE @kind::text IS NULL OR kind = @kind::text ORDER BY kind, name;", new { kind }, cancellationToken: cancellationToken))
            .ConfigureAwait(false);
        return await rows.ToListAsync(CredentialRows.Read, cancellationToken).ConfigureAwait(false);
    }

    public Task<bool> DeleteAsync(string kind, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(name);
        return _writer.EnqueueAsync(async context =>
        {
            await using var command = context.Command("DELETE FROM enrollment_credentials WHERE kind = $1 AND name = $2;").Text(kind).Text(name);
            return await command.ExecuteNonQueryAsync().ConfigureAwait(false) == 1;
        }, cancellationToken);
    }
}
