using System.ComponentModel.DataAnnotations;

namespace AmiPki.Protocols.Ocsp;

/// <summary>
/// How long OCSP responses are valid and when they are re-signed. Every figure is settable (the server binds them from
/// section <c>AmiPki:Ocsp</c>, e.g. <c>AMIPKI_Ocsp__HttpMaxAgeSeconds=30</c>).
/// </summary>
public sealed class OcspResponderOptions
{
    /// <summary>
    /// Longest <c>Cache-Control: max-age</c> (and <c>Expires</c>, counted from now) given to an HTTP cache for an answer
    /// that may change at any moment: good, unknown, certificateHold, several certificates. Never more than nextUpdate − now.
    /// A <c>revoked</c> answer for any other reason stays true and is cacheable until its nextUpdate (RFC 5019 §6.2).
    /// 0 lets caches store such answers but revalidate each time.
    /// </summary>
    [Range(0, int.MaxValue)]
    public int HttpMaxAgeSeconds { get; set; } = 60;

    /// <summary>nextUpdate − thisUpdate of good and revoked responses (RFC 5019 §2.2.4; relying parties cache until then).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "10675199.02:48:05.4775807")]
    public TimeSpan ResponseValidity { get; set; } = TimeSpan.FromHours(4);

    /// <summary>A pre-signed response older than this is re-signed (so none is served close to its nextUpdate).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "10675199.02:48:05.4775807")]
    public TimeSpan RefreshAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Validity of an <c>unknown</c> answer: short, as the serial may be in the middle of being issued.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "10675199.02:48:05.4775807")]
    public TimeSpan UnknownValidity { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>An <c>unknown</c> answer is re-checked against storage after this long.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "10675199.02:48:05.4775807")]
    public TimeSpan UnknownRefreshAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Most responses kept pre-signed (about 1 KB each with the responder certificate).</summary>
    [Range(1, int.MaxValue)]
    public int CacheCapacity { get; set; } = 200_000;

    /// <summary>Issued certificates whose responses are signed ahead of any request at start-up (newest first, per issuer).</summary>
    [Range(0, int.MaxValue)]
    public int PreSignAtStart { get; set; } = 10_000;

    /// <summary>How often stale pre-signed responses are re-signed and the responder certificates checked.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "10675199.02:48:05.4775807")]
    public TimeSpan MaintenanceInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Run that maintenance on <see cref="MaintenanceInterval"/> here. The server turns it off: its scheduler runs the
    /// <c>ocsp-refresh</c> and <c>operational-certificates</c> jobs instead (recorded, audited, caught up after a restart).
    /// </summary>
    public bool MaintainInBackground { get; set; } = true;

    /// <summary>Renew a delegated responder certificate when less than this fraction of its lifetime is left.</summary>
    [Range(0.0, 1.0)]
    public double RenewAtRemainingFraction { get; set; } = 1.0 / 3;

    /// <summary>The profile delegated responder certificates are issued under (EKU ocspSigning, ocsp-nocheck).</summary>
    public string ResponderProfile { get; set; } = "ocsp-responder";

    /// <summary>Organization in the responder certificates' subject.</summary>
    public string Organization { get; set; } = "AmiPki";

    /// <summary>Longest GET path (base64 of the request) accepted.</summary>
    [Range(1, int.MaxValue)]
    public int MaxGetLength { get; set; } = 4096;
}
