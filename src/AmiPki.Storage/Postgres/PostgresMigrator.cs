using AmiPki.Storage.Migrations;
using AmiPki.Storage.Sqlite;
using Npgsql;

namespace AmiPki.Storage.Postgres;

/// <summary>
/// Brings a database to the newest schema: the scripts newer than <c>schema_version</c> run in order inside one
/// transaction (PostgreSQL's DDL is transactional, so a failed migration leaves the previous schema intact). Nodes
/// starting together take a transaction-scoped advisory lock first: one migrates, the others then find nothing to do.
/// </summary>
internal static class PostgresMigrator
{
    /// <summary>The advisory lock key AmiPki's migrations hold ("AmiPkiMg" in ASCII).</summary>
    private const long MigrationLock = 0x416D_6950_6B69_4D67;

    /// <returns>The schema version after migrating.</returns>
    public static async Task<int> MigrateAsync(NpgsqlDataSource dataSource, TimeProvider time, CancellationToken cancellationToken)
    {
        var scripts = MigrationCatalog.Load(MigrationCatalog.Postgres);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({MigrationLock});", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, """
            CREATE TABLE IF NOT EXISTS schema_version (
                version    INTEGER NOT NULL PRIMARY KEY,
                name       TEXT NOT NULL,
                applied_at TEXT NOT NULL
            );
            """, cancellationToken).ConfigureAwait(false);
        int current;
        await using (var select = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM schema_version;", connection, transaction))
        {
            current = Convert.ToInt32(await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false),
                System.Globalization.CultureInfo.InvariantCulture);
        }
        if (current > scripts.Count)
        {
            throw new InvalidOperationException(
                $"the database has schema version {current}, newer than this AmiPki knows ({scripts.Count}); use a newer AmiPki");
        }
        foreach (var script in scripts.Where(s => s.Version > current))
        {
            await ExecuteAsync(connection, transaction, script.Sql, cancellationToken).ConfigureAwait(false);
            await using var record = new NpgsqlCommand("INSERT INTO schema_version (version, name, applied_at) VALUES ($1, $2, $3);",
                connection, transaction);
            record.Int32(script.Version).Text(script.Name).Text(SqliteTime.ToText(time.GetUtcNow()));
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return scripts.Count;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
