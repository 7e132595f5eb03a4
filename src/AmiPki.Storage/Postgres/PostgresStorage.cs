using AmiPki.Core.Authorities;
using AmiPki.Core.Campaigns;
using AmiPki.Core.Crl;
using AmiPki.Core.Credentials;
using AmiPki.Core.Devices;
using AmiPki.Core.Jobs;
using AmiPki.Core.Operations;
using AmiPki.Core.Storage;
using AmiPki.Core.Transactions;
using AmiPki.Storage.Postgres.Approvals;
using AmiPki.Storage.Postgres.Campaigns;
using AmiPki.Storage.Postgres.Crl;
using AmiPki.Storage.Postgres.Jobs;
using AmiPki.Storage.Postgres.Nodes;
using AmiPki.Storage.Postgres.Operations;
using AmiPki.Storage.Postgres.Transactions;
using AmiPki.Storage.Postgres.Writing;
using Npgsql;

namespace AmiPki.Storage.Postgres;

/// <summary>
/// Storage in a PostgreSQL database that several AmiPki nodes may share. Each node writes through one group-committing
/// writer (its own connection); reads use pooled connections and never wait for it. What keeps nodes consistent lives in
/// the database: the (issuer, serial) primary key (a serial another node holds is "not reserved"), one row per CA for CRL
/// numbers incremented under its row lock, and one audit chain per node, keyed by (node, seq).
/// </summary>
public sealed class PostgresStorage : IAmiPkiStorage
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresWriter _writer;
    private int _disposed;

    private PostgresStorage(NpgsqlDataSource dataSource, PostgresWriter writer, string nodeName, int schemaVersion)
    {
        _dataSource = dataSource;
        _writer = writer;
        SchemaVersion = schemaVersion;
        // Every store reaches callers through the outage guard: a lost server is StorageUnavailableException to them.
        Issuance = Guard<IIssuanceStore>(new PostgresIssuanceStore(writer, nodeName));
        Certificates = Guard<ICertificateReader>(new PostgresCertificateReader(dataSource));
        Revocations = Guard<IRevocationStore>(new PostgresRevocationStore(writer, dataSource));
        Audit = Guard<IAuditStore>(new PostgresAuditLog(writer, dataSource));
        Cas = Guard<ICaStore>(new PostgresCaStore(writer, dataSource));
        Devices = Guard<IDeviceRegistry>(new PostgresDeviceRegistry(writer, dataSource));
        Credentials = Guard<ICredentialStore>(new PostgresCredentialStore(writer, dataSource));
        Transactions = Guard<IProtocolTransactionStore>(new PostgresProtocolTransactionStore(dataSource));
        OperationalIdentities = Guard<IOperationalIdentityStore>(new PostgresOperationalIdentityStore(dataSource));
        Crls = Guard<IPublishedCrlStore>(new PostgresPublishedCrlStore(dataSource));
        Campaigns = Guard<ICampaignStore>(new PostgresCampaignStore(writer, dataSource));
        JobSchedule = Guard<IJobScheduleStore>(new PostgresJobScheduleStore(writer, dataSource));
        JobLeases = Guard<IJobLeases>(new PostgresJobLeases(writer));
        Housekeeping = Guard<ICertificateHousekeeping>(new PostgresCertificateHousekeeping(writer));
        Nodes = Guard<INodeHeartbeats>(new PostgresNodeHeartbeats(dataSource));
    }

    /// <summary>Transactions this node's writer has committed (for benchmarks: writes ÷ commits shows the grouping).</summary>
    internal long WriterCommits => _writer.Commits;

    public string Dialect => "postgres";

    public int SchemaVersion { get; }

    public IIssuanceStore Issuance { get; }

    public ICertificateReader Certificates { get; }

    public IRevocationStore Revocations { get; }

    public IAuditStore Audit { get; }

    public ICaStore Cas { get; }

    public IDeviceRegistry Devices { get; }

    public ICredentialStore Credentials { get; }

    /// <summary>Protocol transactions: one conditional statement per write on this storage's connection pool.</summary>
    public IProtocolTransactionStore Transactions { get; }

    /// <summary>Operational identities (CMP responder, SCEP RA, OCSP responders), shared by every node on this storage.</summary>
    public IOperationalIdentityStore OperationalIdentities { get; }

    /// <summary>Published CRLs (complete and delta), shared by every node and the CLI on this storage.</summary>
    public IPublishedCrlStore Crls { get; }

    public ICampaignStore Campaigns { get; }

    public IJobScheduleStore JobSchedule { get; }

    public IJobLeases JobLeases { get; }

    public ICertificateHousekeeping Housekeeping { get; }

    public INodeHeartbeats Nodes { get; }

    /// <summary><c>SELECT 1</c> on a pooled connection: opening one is what fails first when the server is gone.</summary>
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var command = _dataSource.CreateCommand("SELECT 1;");
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (StorageOutageGuard.Translate(exception, PostgresErrors.Outage) is { } outage)
        {
            throw outage;
        }
    }

    private static T Guard<T>(T store) where T : class => StorageOutageGuard.Wrap(store, PostgresErrors.Outage);

    /// <summary>
    /// Connects with <paramref name="connectionString"/> (an Npgsql connection string; keep the password out of it, in
    /// PGPASSWORD or a passfile) and migrates the database to the newest schema.
    /// </summary>
    /// <param name="nodeName">This node's name in the audit chain: unique per node sharing the database.</param>
    public static async Task<PostgresStorage> OpenAsync(string connectionString, string nodeName, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeName);
        ArgumentNullException.ThrowIfNull(time);
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        var settings = builder.ConnectionStringBuilder;
        // Server-side prepared statements for the statements run per certificate (Npgsql's default is none); a connection
        // string asking for a number of its own keeps it.
        if (settings.MaxAutoPrepare == 0)
        {
            settings.MaxAutoPrepare = 64;
            settings.AutoPrepareMinUsages = 2;
        }
        if (string.IsNullOrEmpty(settings.ApplicationName))
        {
            settings.ApplicationName = $"amipki {nodeName}";
        }
        var dataSource = builder.Build();
        try
        {
            var version = await PostgresMigrator.MigrateAsync(dataSource, time, cancellationToken).ConfigureAwait(false);
            return new PostgresStorage(dataSource, new PostgresWriter(dataSource, nodeName, time), nodeName, version);
        }
        catch (NpgsqlException exception)
        {
            await dataSource.DisposeAsync().ConfigureAwait(false);
            // Named without the password; the caller (the CLI, the server's start-up) shows one clear line.
            throw new InvalidOperationException($"cannot open the {StorageLocation.Postgres(connectionString)} database: {exception.Message}", exception);
        }
        catch
        {
            await dataSource.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Whether the database holds the AmiPki schema and at least one CA record; reads only, migrates nothing.</summary>
    internal static async Task<bool> HoldsInstanceAsync(string connectionString, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var settings = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        try
        {
            await using var connection = new NpgsqlConnection(settings.ConnectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SELECT to_regclass('cas') IS NOT NULL;", connection);
            if (!(bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            {
                return false;
            }
            command.CommandText = "SELECT EXISTS (SELECT 1 FROM cas);";
            return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
        catch (NpgsqlException exception)
        {
            throw new InvalidOperationException($"cannot open the {StorageLocation.Postgres(connectionString)} database: {exception.Message}", exception);
        }
    }

    /// <summary>The approval queue on this storage's connection pool; disposing it leaves the pool to the storage.</summary>
    public Task<IOwnedPendingRequestStore> OpenPendingRequestsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Guard<IOwnedPendingRequestStore>(new PostgresPendingRequestStore(_dataSource)));
    }

    /// <summary>Finishes the writes already queued (callers are answered), then closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _writer.DisposeAsync().ConfigureAwait(false);
        await _dataSource.DisposeAsync().ConfigureAwait(false);
    }
}
