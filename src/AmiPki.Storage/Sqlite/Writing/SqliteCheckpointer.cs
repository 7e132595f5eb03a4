using Microsoft.Data.Sqlite;

namespace AmiPki.Storage.Sqlite.Writing;

/// <summary>
/// Copies committed pages from the WAL back into the database file on a connection and thread of its own. Left to
/// SQLite's automatic checkpoint, that copy (and the database file's fsync) would run inside the writer's commit and
/// stall every caller of that batch; a PASSIVE checkpoint never takes the write lock, so the writer keeps committing.
/// </summary>
internal sealed class SqliteCheckpointer : IDisposable
{
    /// <summary>
    /// How often to checkpoint. A hot index page changed by many commits is copied once per checkpoint, so a longer
    /// interval writes less (measured here under group-commit load: 1 s gave about 20 % more issuance than 200 ms);
    /// the WAL grows meanwhile, by tens of megabytes at most, and journal_size_limit trims it afterwards.
    /// </summary>
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly SqliteConnection _connection;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _stop = new(false);

    public SqliteCheckpointer(SqliteConnection connection)
    {
        _connection = connection;
        _thread = new Thread(Run) { IsBackground = true, Name = "amipki-sqlite-checkpoint" };
        _thread.Start();
    }

    public void Dispose()
    {
        _stop.Set();
        _thread.Join();
        _stop.Dispose();
        _connection.Dispose();
    }

    private void Run()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        while (!_stop.Wait(Interval))
        {
            try
            {
                command.ExecuteNonQuery();
            }
            catch (SqliteException)
            {
                // Busy with another checkpoint (e.g. the CLI's) or a transient I/O error: the next round retries, and
                // the WAL only grows meanwhile; nothing committed is at risk.
            }
        }
    }
}
