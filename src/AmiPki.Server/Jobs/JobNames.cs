namespace AmiPki.Server.Jobs;

/// <summary>The scheduled jobs, by the names used in the schedule table, the audit trail and the logs.</summary>
public static class JobNames
{
    public const string CrlPublication = "crl-publication";
    public const string OcspRefresh = "ocsp-refresh";
    public const string OperationalCertificates = "operational-certificates";
    public const string CaExpiryWarning = "ca-expiry-warning";
    public const string CertificateHousekeeping = "certificate-housekeeping";
    public const string AuditCheckpoint = "audit-checkpoint";
    public const string RenewalCampaign = "renewal-campaign";

    public static IReadOnlyList<string> All { get; } =
        [CrlPublication, OcspRefresh, OperationalCertificates, CaExpiryWarning, CertificateHousekeeping, AuditCheckpoint, RenewalCampaign];

    /// <summary>
    /// The jobs whose work is the shared database's (expiry marking, the renewal campaign and its webhooks, CA expiry
    /// warnings): on several nodes sharing one PostgreSQL, each runs once per cluster, on the node that takes its lease
    /// (<see cref="Core.Jobs.IJobLeases"/>). The others maintain what each node holds itself — its CRLs and pre-signed OCSP
    /// responses in memory, its operational certificates, the checkpoint of its own audit chain — so every node runs them.
    /// </summary>
    public static IReadOnlySet<string> ClusterWide { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        CaExpiryWarning, CertificateHousekeeping, RenewalCampaign,
    };
}
