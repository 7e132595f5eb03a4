using Microsoft.Data.Sqlite;

namespace AmiPki.Storage.Sqlite.Writing;

/// <summary>
/// Copies committed pages from the WAL back into the database file on a connection and thread of its own. Left to
/// SQLite's automatic checkpoint, that copy (and the database file's fsync) would run inside the writer's commit and
/// stall every caller of that batch; a PASSIVE checkpoint never takes the write lock, so the writer keeps committing.
/// </summary>
internal sealed class SqliteCheckpointer : IDisposable
{
    /// <summary>How often to checkpoint. Short enough that the WAL stays small and is restarted from its beginning.</summary>
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

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
