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
}
