using AmiPki.Core.Audit;
using AmiPki.Core.Devices;
using AmiPki.Core.Storage;
using AmiPki.Storage.Migrations;
using AmiPki.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace AmiPki.Storage.Tests.Sqlite;

/// <summary>What only the SQLite backend promises: its file, its pragmas, its migrations.</summary>
[TestFixture]
public sealed class SqliteStorageTests
{
    /// <summary>The newest schema version, so these tests do not change with every new migration.</summary>
    private static readonly int LatestVersion = MigrationCatalog.Load(MigrationCatalog.Sqlite).Count;

    private SqliteStorageFactory _files = null!;

    [SetUp]
    public void CreateDirectory() => _files = new SqliteStorageFactory();

    [TearDown]
    public async Task DeleteDirectory() => await _files.DisposeAsync();

    private Task<SqliteStorage> OpenAsync() => SqliteStorage.OpenAsync(_files.DatabasePath, "node-a", TimeProvider.System, CancellationToken.None);

    private object? Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={_files.DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    [Test]
    public async Task Migrations_run_once_however_often_the_database_is_opened()
    {
        await using (var first = await OpenAsync())
        {
            Assert.That(first.SchemaVersion, Is.EqualTo(LatestVersion));
        }
        await using (var second = await OpenAsync())
        {
            Assert.That(second.SchemaVersion, Is.EqualTo(LatestVersion));
        }

        Assert.That(Scalar("SELECT COUNT(*) FROM schema_version;"), Is.EqualTo((long)LatestVersion));
        Assert.That(Scalar("SELECT name FROM schema_version WHERE version = 1;"), Is.EqualTo("initial"));
    }

    [Test]
    public async Task Concurrent_opens_migrate_once()
    {
        var opened = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => OpenAsync()));
        foreach (var storage in opened)
        {
            await storage.DisposeAsync();
        }

        Assert.That(Scalar("SELECT COUNT(*) FROM schema_version;"), Is.EqualTo((long)LatestVersion));
    }

    [Test]
    public async Task A_database_from_a_newer_amipki_is_refused()
    {
        await (await OpenAsync()).DisposeAsync();
        Scalar("INSERT INTO schema_version (version, name, applied_at) VALUES (99, 'future', '2030-01-01T00:00:00.0000000Z');");

        var refusal = Assert.ThrowsAsync<InvalidOperationException>(OpenAsync);
        Assert.That(refusal!.Message, Does.Contain("99"));
    }

    [Test]
    public async Task Devices_registered_before_the_kind_column_are_meters()
    {
        // A database at schema version 4 (before 0005_device_kind) with one device, as an older AmiPki left it.
        using (var connection = new SqliteConnection($"Data Source={_files.DatabasePath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);"
                                  + string.Concat(MigrationCatalog.Load(MigrationCatalog.Sqlite).Where(m => m.Version <= 4).Select(m => m.Sql
                                      + $"\nINSERT INTO schema_version VALUES ({m.Version}, '{m.Name}', '2026-01-01T00:00:00.0000000Z');\n"))
                                  + "INSERT INTO devices (system_title, manufacturer, imported_at) VALUES ('4D4D4D0000000001', 'acme', '2026-01-01T00:00:00.0000000Z');";
            command.ExecuteNonQuery();
        }

        await using var storage = await OpenAsync();

        Assert.That(storage.SchemaVersion, Is.EqualTo(LatestVersion));
        var device = await storage.Devices.FindBySystemTitleAsync("4D4D4D0000000001", CancellationToken.None);
        Assert.That(device?.Kind, Is.EqualTo(DeviceKinds.Meter));
    }

    [Test]
    public async Task The_database_is_in_wal_mode()
    {
        await using var storage = await OpenAsync();

        Assert.That(Scalar("PRAGMA journal_mode;"), Is.EqualTo("wal"));
    }

    [Test]
    public async Task Times_are_stored_as_fixed_width_utc_text()
    {
        await using (var storage = await OpenAsync())
        {
            var at = new DateTimeOffset(2026, 1, 2, 5, 4, 5, TimeSpan.FromHours(2)).AddTicks(1);
            await storage.Audit.AppendAsync(new AuditEvent(at, "login", "admin", "success", ""), CancellationToken.None);
        }

        Assert.That(Scalar("SELECT at FROM audit_log;"), Is.EqualTo("2026-01-02T03:04:05.0000001Z"));
    }

    [Test]
    public async Task Reads_do_not_wait_for_another_writer_and_writes_wait_for_it()
    {
        await using var storage = await OpenAsync();
        using var other = new SqliteConnection($"Data Source={_files.DatabasePath};Pooling=False");
        other.Open();
        using (var begin = other.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE;";
            begin.ExecuteNonQuery();
        }

        var write = storage.Audit.AppendAsync(new AuditEvent(DateTimeOffset.UtcNow, "login", "admin", "success", ""), CancellationToken.None);
        var read = storage.Certificates.FindAsync("issuing-p256", "01", CancellationToken.None);

        Assert.That(await read.WaitAsync(TimeSpan.FromSeconds(5)), Is.Null, "the read answered while the write lock was held");
        await Task.Delay(200);
        Assert.That(write.IsCompleted, Is.False, "the write waits for the lock instead of failing");
        using (var commit = other.CreateCommand())
        {
            commit.CommandText = "COMMIT;";
            commit.ExecuteNonQuery();
        }
        await write.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That((await storage.Audit.VerifyAsync(CancellationToken.None)).EntriesChecked, Is.EqualTo(1));
    }

    [Test]
    public async Task The_wal_is_started_over_while_writes_never_pause()
    {
        // Before the writer finished the background checkpoints itself, a WAL under sustained writes was never rewound
        // (SQLite rewinds only a WAL wholly copied back) and grew by tens of megabytes a second.
        await using var storage = await OpenAsync();
        var walPath = _files.DatabasePath + "-wal";
        using var stop = new CancellationTokenSource();
        var der = new byte[600];
        var writers = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var serial = $"{worker:X2}{i:X8}";
                var now = DateTimeOffset.UtcNow;
                var intent = new IssuanceIntent("wal-ca", serial, "meter", "CN=" + serial, now, now.AddYears(1), "test", "test", now);
                Assert.That(await storage.Issuance.TryReserveAsync(intent, CancellationToken.None), Is.True);
                await storage.Issuance.CompleteAsync("wal-ca", serial, der, "00", new AuditEvent(now, "issuance", "test", "success", serial),
                    CancellationToken.None);
            }
        })).ToArray();
        try
        {
            var first = await CheckpointSequenceAsync(walPath);
            var restarts = 0;
            var commitsBefore = storage.WriterCommits;
            // The checkpointer runs once a second: two rewinds within 15 s, or the WAL is not being rewound.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
            while (DateTime.UtcNow < deadline && restarts < 2)
            {
                await Task.Delay(100);
                restarts = (int)(await CheckpointSequenceAsync(walPath) - first);
                Assert.That(writers.Where(w => w.IsFaulted), Is.Empty, "a writer failed");
            }

            Assert.That(restarts, Is.GreaterThanOrEqualTo(2), "the WAL header's checkpoint sequence number did not advance under sustained writes");
            Assert.That(storage.WriterCommits - commitsBefore, Is.GreaterThan(100), "the writes did not go on meanwhile");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }
    }

    /// <summary>The checkpoint sequence number of the WAL header (big-endian at offset 12; sqlite.org/fileformat2.html#walformat).</summary>
    private static async Task<uint> CheckpointSequenceAsync(string walPath)
    {
        await using var wal = new FileStream(walPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var header = new byte[16];
        await wal.ReadExactlyAsync(header);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(12));
    }
}
