using AmiPki.Core.Authorities;
using AmiPki.Core.Campaigns;
using AmiPki.Core.Crl;
using AmiPki.Core.Credentials;
using AmiPki.Core.Devices;
using AmiPki.Core.Jobs;
using AmiPki.Core.Operations;
using AmiPki.Core.Storage;
using AmiPki.Core.Transactions;

namespace AmiPki.Storage;

/// <summary>
/// One opened database, whichever dialect (<see cref="Sqlite.SqliteStorage"/>, <see cref="Postgres.PostgresStorage"/>):
/// the host opens one per process through <see cref="AmiPkiStorageFactory"/> and hands each component the narrow
/// interface of the core it needs.
/// </summary>
public interface IAmiPkiStorage : IAsyncDisposable
{
    /// <summary>"sqlite" or "postgres", for logs and the CLI.</summary>
    string Dialect { get; }

    /// <summary>The schema version after the migrations applied at open.</summary>
    int SchemaVersion { get; }

    IIssuanceStore Issuance { get; }

    ICertificateReader Certificates { get; }

    IRevocationStore Revocations { get; }

    IAuditStore Audit { get; }

    ICaStore Cas { get; }

    IDeviceRegistry Devices { get; }

    ICredentialStore Credentials { get; }

    /// <summary>Durable protocol transactions (CMP transactionIDs, nonces, confirmations), shared by every node on this storage.</summary>
    IProtocolTransactionStore Transactions { get; }

    /// <summary>Operational identities (CMP responder, SCEP RA, OCSP responders) with their encrypted keys, shared by every node on this storage.</summary>
    IOperationalIdentityStore OperationalIdentities { get; }

    /// <summary>Every published CRL (complete and delta), the newest of which each node serves; shared by every node and the CLI on this storage.</summary>
    IPublishedCrlStore Crls { get; }

    /// <summary>Renewal campaign entries.</summary>
    ICampaignStore Campaigns { get; }

    /// <summary>Scheduled jobs' last run and next due time.</summary>
    IJobScheduleStore JobSchedule { get; }

    /// <summary>Who runs a due scheduled job when several nodes share the database.</summary>
    IJobLeases JobLeases { get; }

    ICertificateHousekeeping Housekeeping { get; }

    /// <summary>Node names held by live server processes (a second process under a live node's name is refused).</summary>
    INodeHeartbeats Nodes { get; }

    /// <summary>
    /// One cheap query, for readiness probes: completes when the database answers; throws
    /// <see cref="Core.Storage.StorageUnavailableException"/> when it cannot be reached (or <paramref name="cancellationToken"/>
    /// ends the wait first: <see cref="OperationCanceledException"/>).
    /// </summary>
    Task PingAsync(CancellationToken cancellationToken);

    /// <summary>Opens the manual-approval queue on the same database; the caller disposes it.</summary>
    Task<IOwnedPendingRequestStore> OpenPendingRequestsAsync(CancellationToken cancellationToken);
}
