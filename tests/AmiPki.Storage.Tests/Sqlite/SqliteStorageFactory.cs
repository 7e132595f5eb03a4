using AmiPki.Core.Audit;
using AmiPki.Core.Authorities;
using AmiPki.Core.Campaigns;
using AmiPki.Core.Credentials;
using AmiPki.Core.Devices;
using AmiPki.Core.Jobs;
using AmiPki.Core.Storage;
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

    public override async Task<IStorageUnderTest> OpenAsync(string node, TimeProvider time) =>
        new Opened(await SqliteStorage.OpenAsync(DatabasePath, node, time, CancellationToken.None));

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

    private sealed class Opened(SqliteStorage storage) : IStorageUnderTest
    {
        public IIssuanceStore Issuance => storage.Issuance;

        public ICertificateReader Certificates => storage.Certificates;

        public IRevocationStore Revocations => storage.Revocations;

        public IAuditLog Audit => storage.Audit;

        public IAuditHeadReader AuditHeads => storage.Audit;

        public ICaStore Cas => storage.Cas;

        public IDeviceRegistry Devices => storage.Devices;

        public ICredentialStore Credentials => storage.Credentials;

        public ICampaignStore Campaigns => storage.Campaigns;

        public IJobScheduleStore JobSchedule => storage.JobSchedule;

        public ICertificateHousekeeping Housekeeping => storage.Housekeeping;

        public ValueTask DisposeAsync() => storage.DisposeAsync();
    }
}
