using System.ComponentModel.DataAnnotations;

namespace AmiPki.Server.Jobs;

/// <summary>
/// How often each scheduled job runs (section <c>AmiPki:Jobs</c>; TimeSpan text such as <c>00:15:00</c>). Each job's last
/// run and next due time are kept in the database, so a restart runs at once whatever fell due while AmiPki was stopped.
/// </summary>
public sealed class JobOptions
{
    /// <summary>Run the scheduler at all (a node of a cluster may leave the jobs to another node).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Rebuild every online CA's complete and delta CRLs (well inside their nextUpdate, RFC 5280 §5.1.2.5).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "10675199.02:48:05.4775807")]
    public TimeSpan CrlPublication { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Re-sign pre-signed OCSP responses that reached their refresh time (RFC 5019 §2.2.4 nextUpdate stays ahead).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "10675199.02:48:05.4775807")]
    public TimeSpan OcspRefresh { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Renew AmiPki's own certificates (TLS server, OCSP responders, CMP responder, SCEP RA) that entered their renewal window.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "10675199.02:48:05.4775807")]
    public TimeSpan OperationalCertificates { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Check the CAs' remaining lifetime.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "10675199.02:48:05.4775807")]
    public TimeSpan CaExpiryWarning { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Warn (log and audit) when a CA certificate has fewer days than this left.</summary>
    [Range(1, int.MaxValue)]
    public int CaExpiryWarningDays { get; set; } = 180;

    /// <summary>Mark certificates past notAfter as expired.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "10675199.02:48:05.4775807")]
    public TimeSpan CertificateHousekeeping { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Write the audit chain's head into the chain itself (a checkpoint to compare against an external copy).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "10675199.02:48:05.4775807")]
    public TimeSpan AuditCheckpoint { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Run a renewal campaign pass: pick up certificates entering their window, notify the head-end, track renewals.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "10675199.02:48:05.4775807")]
    public TimeSpan RenewalCampaign { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a node's claim on a cluster-wide job holds (<see cref="JobNames.ClusterWide"/>, PostgreSQL): longer than
    /// any run; if the node dies mid-run, another node takes the job over once this has passed.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "10675199.02:48:05.4775807")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The interval of the named job.</summary>
    public TimeSpan IntervalOf(string job) => job switch
    {
        JobNames.CrlPublication => CrlPublication,
        JobNames.OcspRefresh => OcspRefresh,
        JobNames.OperationalCertificates => OperationalCertificates,
        JobNames.CaExpiryWarning => CaExpiryWarning,
        JobNames.CertificateHousekeeping => CertificateHousekeeping,
        JobNames.AuditCheckpoint => AuditCheckpoint,
        JobNames.RenewalCampaign => RenewalCampaign,
        _ => throw new ArgumentException($"no job named '{job}' (known: {string.Join(", ", JobNames.All)})", nameof(job)),
    };
}
