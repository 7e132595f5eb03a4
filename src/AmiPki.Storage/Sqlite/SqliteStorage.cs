using AmiPki.Core.Authorities;
using AmiPki.Core.Campaigns;
using AmiPki.Core.Crl;
using AmiPki.Core.Credentials;
using AmiPki.Core.Devices;
using AmiPki.Core.Jobs;
using AmiPki.Core.Operations;
using AmiPki.Core.Storage;
using AmiPki.Core.Transactions;
using AmiPki.Storage.Sqlite.Approvals;
using AmiPki.Storage.Sqlite.Campaigns;
using AmiPki.Storage.Sqlite.Crl;
using AmiPki.Storage.Sqlite.Jobs;
using AmiPki.Storage.Sqlite.Nodes;
using AmiPki.Storage.Sqlite.Operations;
using AmiPki.Storage.Sqlite.Transactions;
using AmiPki.Storage.Sqlite.Writing;
using Microsoft.Data.Sqlite;

namespace AmiPki.Storage.Sqlite;

/// <summary>
/// The embedded storage: one SQLite file in WAL mode. Every write goes through one group-committing writer (its own
/// connection and thread, synchronous=FULL); every read uses pooled read-only connections that never wait for it.
/// The host opens one per process and hands each component the narrow interface it needs.
/// </summary>
public sealed class SqliteStorage : IAmiPkiStorage
{
    private readonly SqliteWriter _writer;
    private readonly SqliteCheckpointer _checkpointer;
    private readonly SqliteReadPool _reads;
    private readonly string _databasePath;
    private readonly IAuditStore _guardedAudit;
    private int _disposed;

    private SqliteStorage(string databasePath, SqliteWriter writer, SqliteCheckpointer checkpointer, SqliteReadPool reads, int schemaVersion)
    {
        _databasePath = databasePath;
        _writer = writer;
        _checkpointer = checkpointer;
        _reads = reads;
        SchemaVersion = schemaVersion;
        // Every store reaches callers through the outage guard: a locked or unreadable file is StorageUnavailableException to them.
        Issuance = Guard<IIssuanceStore>(new SqliteIssuanceStore(writer));
        Certificates = Guard<ICertificateReader>(new SqliteCertificateReader(reads));
        Revocations = Guard<IRevocationStore>(new SqliteRevocationStore(writer, reads));
        Audit = new SqliteAuditLog(writer, reads);
        _guardedAudit = Guard<IAuditStore>(Audit);
        Cas = Guard<ICaStore>(new SqliteCaStore(writer, reads));
        Devices = Guard<IDeviceRegistry>(new SqliteDeviceRegistry(writer, reads));
        Credentials = Guard<ICredentialStore>(new SqliteCredentialStore(writer, reads));
        Transactions = Guard<IProtocolTransactionStore>(new SqliteProtocolTransactionStore(writer, reads));
        OperationalIdentities = Guard<IOperationalIdentityStore>(new SqliteOperationalIdentityStore(writer, reads));
        Crls = Guard<IPublishedCrlStore>(new SqlitePublishedCrlStore(writer, reads));
        Campaigns = Guard<ICampaignStore>(new SqliteCampaignStore(writer, reads));
        JobSchedule = Guard<IJobScheduleStore>(new SqliteJobScheduleStore(writer, reads));
        Housekeeping = Guard<ICertificateHousekeeping>(new SqliteCertificateHousekeeping(writer));
        Nodes = Guard<INodeHeartbeats>(new SqliteNodeHeartbeats(writer, reads));
    }

    /// <summary>Transactions the writer has committed (for benchmarks: writes ÷ commits shows the grouping).</summary>
    internal long WriterCommits => _writer.Commits;

    /// <summary>The schema version after the migrations applied at open.</summary>
    public int SchemaVersion { get; }

    public IIssuanceStore Issuance { get; }

    public ICertificateReader Certificates { get; }

    public IRevocationStore Revocations { get; }

    /// <summary>The audit log; also its <see cref="Core.Audit.IAuditHeadReader"/>.</summary>
    public SqliteAuditLog Audit { get; }

    public ICaStore Cas { get; }

    public IDeviceRegistry Devices { get; }

    public ICredentialStore Credentials { get; }

    /// <summary>Protocol transactions: writes through the group-committing writer, reads on read connections.</summary>
    public IProtocolTransactionStore Transactions { get; }

    /// <summary>Operational identities (CMP responder, SCEP RA, OCSP responders), shared by every node on this storage.</summary>
    public IOperationalIdentityStore OperationalIdentities { get; }

    /// <summary>Published CRLs (complete and delta), shared by every node and the CLI on this storage.</summary>
    public IPublishedCrlStore Crls { get; }

    /// <summary>Renewal campaign entries.</summary>
    public ICampaignStore Campaigns { get; }

    /// <summary>Scheduled jobs' last run and next due time.</summary>
    public IJobScheduleStore JobSchedule { get; }

    /// <summary>One node per SQLite file: every lease is granted.</summary>
    public IJobLeases JobLeases => SingleNodeJobLeases.Instance;

    public ICertificateHousekeeping Housekeeping { get; }

    public string Dialect => "sqlite";

    IAuditStore IAmiPkiStorage.Audit => _guardedAudit;

    public INodeHeartbeats Nodes { get; }

    /// <summary>One read of the schema version on a read connection: fails when the file cannot be opened or read.</summary>
    public Task PingAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            using var lease = _reads.Rent();
            lease.Connection.Command("SELECT max(version) FROM schema_version;").ExecuteScalar();
            return Task.CompletedTask;
        }
        catch (Exception exception) when (StorageOutageGuard.Translate(exception, Outage) is { } outage)
        {
            throw outage;
        }
    }

    /// <summary>
    /// SQLITE_BUSY (another process holds the lock past the busy timeout), SQLITE_CANTOPEN and SQLITE_IOERR (the file or its
    /// disk is gone): the database cannot be used just now. Constraint violations and bad SQL are not outages.
    /// </summary>
    internal static string? Outage(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: var code } && (code & 0xFF) is 5 or 10 or 14
            ? $"the SQLite database cannot be used: {exception.Message}"
            : null;

    private static T Guard<T>(T store) where T : class => StorageOutageGuard.Wrap(store, Outage);

    /// <summary>The approval queue on its own connection to the same file (see <see cref="SqlitePendingRequestStore"/>).</summary>
    public async Task<IOwnedPendingRequestStore> OpenPendingRequestsAsync(CancellationToken cancellationToken) =>
        Guard<IOwnedPendingRequestStore>(await SqlitePendingRequestStore.OpenAsync(_databasePath, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Opens (creating if needed) the database at <paramref name="databasePath"/> and migrates it to the newest schema.
    /// </summary>
    /// <param name="nodeName">This process's name in the audit chain (each node has its own sequence).</param>
    /// <param name="time">The clock for times storage stamps itself (revocation audit entries, hold releases, migrations).</param>
    public static Task<SqliteStorage> OpenAsync(string databasePath, string nodeName, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeName);
        ArgumentNullException.ThrowIfNull(time);
        // Opening and migrating block on file I/O (and on another process's write lock): keep that off the caller.
        return Task.Run(() =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            CreateOwnerOnlyIfMissing(databasePath);
            var connections = new SqliteConnections(databasePath);
            var connection = connections.OpenWriter();
            SqliteConnection? checkpointConnection = null;
            try
            {
                var version = SqliteMigrator.Migrate(connection, time);
                checkpointConnection = connections.OpenCheckpointer();
                var writer = new SqliteWriter(connection, nodeName, time);
                return new SqliteStorage(databasePath, writer, new SqliteCheckpointer(checkpointConnection, writer.FinishCheckpointSoon),
                    new SqliteReadPool(connections), version);
            }
            catch
            {
                checkpointConnection?.Dispose();
                connection.Dispose();
                throw;
            }
        }, cancellationToken);
    }

    /// <summary>
    /// Creates an empty database file readable by the owner only (0600) before SQLite opens it; SQLite creates the
    /// <c>-wal</c> and <c>-shm</c> files with the main file's permissions, so they are 0600 too. An existing file is left as it is.
    /// </summary>
    private static void CreateOwnerOnlyIfMissing(string databasePath)
    {
        if (File.Exists(databasePath))
        {
            return;
        }
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        try
        {
            // A zero-length file is an empty SQLite database.
            using var created = new FileStream(databasePath, options);
        }
        catch (IOException) when (File.Exists(databasePath))
        {
            // Another process created it first.
        }
    }

    /// <summary>
    /// Whether <paramref name="databasePath"/> is an AmiPki database holding at least one CA record; read-only, creates
    /// no file when it is missing.
    /// </summary>
    internal static bool HoldsInstance(string databasePath)
    {
        var full = Path.GetFullPath(databasePath);
        if (!File.Exists(full))
        {
            return false;
        }
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadOnly,
            Cache = SqliteCacheMode.Private,
            Pooling = false,
        }.ToString();
        try
        {
            using var connection = new SqliteConnection(connectionString);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'cas';";
            if (Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                return false;
            }
            command.CommandText = "SELECT EXISTS (SELECT 1 FROM cas);";
            return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 1;
        }
        catch (SqliteException e)
        {
            throw new InvalidOperationException($"cannot read {full}: {e.Message}", e);
        }
    }

    /// <summary>Finishes the writes already queued (callers are answered), then closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _writer.DisposeAsync().ConfigureAwait(false);
        _checkpointer.Dispose();
        _reads.Dispose();
    }
}
