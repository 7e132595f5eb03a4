using System.Globalization;
using AmiPki.Storage.Migrations;
using Microsoft.Data.Sqlite;

namespace AmiPki.Storage.Sqlite;

/// <summary>
/// Brings a database to the newest schema: the scripts newer than <c>schema_version</c> run in order inside one
/// transaction, so a failed migration leaves the previous schema intact, and a second process starting at the same time
/// waits for the write lock and then finds nothing left to do.
/// </summary>
internal static class SqliteMigrator
{
    /// <returns>The schema version after migrating.</returns>
    public static int Migrate(SqliteConnection connection, TimeProvider time)
    {
        var scripts = MigrationCatalog.Load(MigrationCatalog.Sqlite);
        Execute(connection, "BEGIN IMMEDIATE;");
        try
        {
            Execute(connection, """
                CREATE TABLE IF NOT EXISTS schema_version (
                    version    INTEGER NOT NULL PRIMARY KEY,
                    name       TEXT NOT NULL,
                    applied_at TEXT NOT NULL
                );
                """);
            var current = CurrentVersion(connection);
            if (current > scripts.Count)
            {
                throw new InvalidOperationException(
                    $"the database has schema version {current}, newer than this AmiPki knows ({scripts.Count}); use a newer AmiPki");
            }
            foreach (var script in scripts.Where(s => s.Version > current))
            {
                Execute(connection, script.Sql);
                using var record = connection.CreateCommand();
                record.CommandText = "INSERT INTO schema_version (version, name, applied_at) VALUES (@version, @name, @at);";
                record.Parameters.AddWithValue("@version", script.Version);
                record.Parameters.AddWithValue("@name", script.Name);
                record.Parameters.AddWithValue("@at", SqliteTime.ToText(time.GetUtcNow()));
                record.ExecuteNonQuery();
            }
            Execute(connection, "COMMIT;");
            return scripts.Count;
        }
        catch
        {
            TryRollback(connection);
            throw;
        }
    }

    private static void TryRollback(SqliteConnection connection)
    {
        try
        {
            Execute(connection, "ROLLBACK;");
        }
        catch (SqliteException)
        {
            // SQLite already rolled back (e.g. after an I/O error); the original exception is the one to report.
        }
    }

    private static int CurrentVersion(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_version;";
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
