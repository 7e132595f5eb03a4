using Microsoft.Data.Sqlite;

namespace AmiPki.Storage.Sqlite;

/// <summary>
/// Opens the two kinds of connection to one database file: the single writer (WAL, synchronous=FULL) and read-only
/// readers. Microsoft.Data.Sqlite's own pool is off because AmiPki keeps its connections itself and must really close
/// them on dispose (a reopen in the same process, or a test deleting the file, expects that).
/// </summary>
internal sealed class SqliteConnections
{
    /// <summary>How long a connection waits for a lock held by another process (e.g. the CLI) before failing.</summary>
    private const int BusyTimeoutMilliseconds = 10_000;

    private readonly string _writerConnectionString;
    private readonly string _readerConnectionString;

    public SqliteConnections(string databasePath)
    {
        var full = Path.GetFullPath(databasePath);
        _writerConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = false,
        }.ToString();
        _readerConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadOnly,
            Cache = SqliteCacheMode.Private,
            Pooling = false,
        }.ToString();
    }

    public SqliteConnection OpenWriter()
    {
        var connection = new SqliteConnection(_writerConnectionString);
        try
        {
            connection.Open();
            // WAL lets readers see the last commit while the writer works; synchronous=FULL makes every commit
            // durable (one fsync of the WAL per group commit). journal_mode is persistent in the file.
            // wal_autocheckpoint=0: checkpoints run on SqliteCheckpointer's connection, not inside our commits.
            Execute(connection, "PRAGMA journal_mode=WAL;");
            Execute(connection, $"""
                PRAGMA synchronous=FULL;
                PRAGMA wal_autocheckpoint=0;
                PRAGMA busy_timeout={BusyTimeoutMilliseconds};
                PRAGMA foreign_keys=ON;
                PRAGMA journal_size_limit=67108864;
                PRAGMA temp_store=MEMORY;
                PRAGMA cache_size=-16384;
                """);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The checkpointer's connection: writes pages to the database file (synchronous=FULL syncs it before the WAL is
    /// reused) but never writes a transaction itself.
    /// </summary>
    public SqliteConnection OpenCheckpointer()
    {
        var connection = new SqliteConnection(_writerConnectionString);
        try
        {
            connection.Open();
            Execute(connection, $"PRAGMA synchronous=FULL; PRAGMA busy_timeout={BusyTimeoutMilliseconds}; PRAGMA wal_autocheckpoint=0;");
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public SqliteConnection OpenReader()
    {
        var connection = new SqliteConnection(_readerConnectionString);
        try
        {
            connection.Open();
            Execute(connection, $"PRAGMA busy_timeout={BusyTimeoutMilliseconds}; PRAGMA cache_size=-8192;");
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
