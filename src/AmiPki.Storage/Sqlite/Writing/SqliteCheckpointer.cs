using Microsoft.Data.Sqlite;

namespace AmiPki.Storage.Sqlite.Writing;

/// <summary>
/// Copies committed pages from the WAL back into the database file on a connection and thread of its own. Left to
/// SQLite's automatic checkpoint, that copy (and the database file's fsync) would run inside the writer's commit and
/// stall every caller of that batch; a PASSIVE checkpoint never takes the write lock, so the writer keeps committing.
/// Under sustained writes such a checkpoint never quite catches up (frames are appended while it copies), and SQLite
/// rewinds the WAL only once every frame is back in the database: the WAL then grew without bound (1.1 GB after 30 s of
/// CMP load here), every append allocating and zeroing fresh file pages. So after each round the writer is asked to
/// copy the few frames committed meanwhile itself, between two batches (<see cref="SqliteWriter.FinishCheckpointSoon"/>),
/// and its next transaction starts the WAL over from its beginning (https://sqlite.org/wal.html#avoiding_excessively_large_wal_files).
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
    private readonly Action _checkpointed;

    /// <param name="checkpointed">Called after each round that copied frames (the writer then finishes the job).</param>
    public SqliteCheckpointer(SqliteConnection connection, Action checkpointed)
    {
        _connection = connection;
        _checkpointed = checkpointed;
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
                _checkpointed();
            }
            catch (SqliteException)
            {
                // Busy with another checkpoint (e.g. the CLI's) or a transient I/O error: the next round retries, and
                // the WAL only grows meanwhile; nothing committed is at risk.
            }
        }
    }
}
