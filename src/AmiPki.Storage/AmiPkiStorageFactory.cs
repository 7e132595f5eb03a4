using AmiPki.Storage.Postgres;
using AmiPki.Storage.Sqlite;

namespace AmiPki.Storage;

/// <summary>Opens the database a <see cref="StorageLocation"/> names, in its dialect, migrated to the newest schema.</summary>
public static class AmiPkiStorageFactory
{
    /// <param name="nodeName">This process's name in the audit chain (each node has its own sequence).</param>
    public static async Task<IAmiPkiStorage> OpenAsync(StorageLocation location, string nodeName, TimeProvider time,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(location);
        return location.PostgresConnectionString is { } connectionString
            ? await PostgresStorage.OpenAsync(connectionString, nodeName, time, cancellationToken).ConfigureAwait(false)
            : await SqliteStorage.OpenAsync(location.SqlitePath!, nodeName, time, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Whether the database <paramref name="location"/> names already holds an AmiPki instance: the schema and at least
    /// one CA record (what <c>amipki init</c> leaves). Creates nothing and migrates nothing: a missing SQLite file stays missing.
    /// </summary>
    /// <exception cref="InvalidOperationException">The database exists but cannot be read (not a database, unreachable server).</exception>
    public static Task<bool> HoldsInstanceAsync(StorageLocation location, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(location);
        return location.PostgresConnectionString is { } connectionString
            ? PostgresStorage.HoldsInstanceAsync(connectionString, cancellationToken)
            : Task.Run(() => SqliteStorage.HoldsInstance(location.SqlitePath!), cancellationToken);
    }
}
