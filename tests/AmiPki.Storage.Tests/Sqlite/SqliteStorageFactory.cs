using AmiPki.Storage.Sqlite;
using AmiPki.Storage.Tests.Contract;
using Microsoft.Data.Sqlite;

namespace AmiPki.Storage.Tests.Sqlite;

/// <summary>A real SQLite file in a fresh temporary directory, deleted with the directory at the end.</summary>
public sealed class SqliteStorageFactory : StorageFactory
{
    public SqliteStorageFactory()
    {
        Directory = Path.Combine(Path.GetTempPath(), "amipki-storage-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        DatabasePath = Path.Combine(Directory, "amipki.db");
    }

    public string Directory { get; }

    public string DatabasePath { get; }

    public override async Task<IAmiPkiStorage> OpenAsync(string node, TimeProvider time) =>
        await SqliteStorage.OpenAsync(DatabasePath, node, time, CancellationToken.None);

    public override Task ExecuteRawAsync(string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
        return Task.CompletedTask;
    }

    public override ValueTask DisposeAsync()
    {
        System.IO.Directory.Delete(Directory, recursive: true);
        return ValueTask.CompletedTask;
    }
}
