using System.ComponentModel.DataAnnotations;

namespace AmiPki.Protocols.Crl;

/// <summary>When CRLs are rebuilt and how long they say they are valid. Defaults suit a meter network; all are settable.</summary>
public sealed class CrlPublishingOptions
{
    /// <summary>nextUpdate − thisUpdate of complete CRLs (RFC 5280 §5.1.2.5: relying parties may cache until then).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "10675199.02:48:05.4775807")]
    public TimeSpan FullValidity { get; set; } = TimeSpan.FromDays(1);

    /// <summary>nextUpdate − thisUpdate of delta CRLs.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "10675199.02:48:05.4775807")]
    public TimeSpan DeltaValidity { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Rebuild both CRLs at least this often, so neither nears its nextUpdate.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "10675199.02:48:05.4775807")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long the complete CRL that deltas refer to (their base) stays the base.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "10675199.02:48:05.4775807")]
    public TimeSpan BaseInterval { get; set; } = TimeSpan.FromHours(24);

    /// <summary>A delta that grew beyond this many entries makes the next complete CRL its new base.</summary>
    [Range(1, int.MaxValue)]
    public int MaxDeltaEntries { get; set; } = 10_000;

    /// <summary>After a revocation, wait this long for more (a bulk revocation arrives in batches), then rebuild.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "10675199.02:48:05.4775807")]
    public TimeSpan RevocationDebounce { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Deltas list changes since this long before their base was built: a revocation is stamped before it commits,
    /// so one committed while the base was being read may carry an earlier time.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "10675199.02:48:05.4775807")]
    public TimeSpan DeltaOverlap { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Rebuild every issuer's CRLs at <see cref="RefreshInterval"/> from the publisher's own loop. The server turns it
    /// off: its scheduler's <c>crl-publication</c> job does it (recorded, audited, and caught up after a restart). The
    /// loop still rebuilds within <see cref="RevocationDebounce"/> after a revocation either way.
    /// </summary>
    public bool RefreshInBackground { get; set; } = true;

    /// <summary>How often the publisher checks for work (dirty issuers, due refreshes).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "10675199.02:48:05.4775807")]
    public TimeSpan Tick { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>HTTP Cache-Control max-age of a served CRL: short, since a revocation replaces the CRL within a minute.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "10675199.02:48:05.4775807")]
    public TimeSpan HttpMaxAge { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How many published CRLs of each CA and kind (complete, delta) storage keeps; older ones are pruned at each publication.</summary>
    [Range(1, 10_000)]
    public int StoredCrlsKept { get; set; } = 10;

    /// <summary>How often storage is polled for revocations made by other processes (the CLI, other nodes).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "10675199.02:48:05.4775807")]
    public TimeSpan StoragePollInterval { get; set; } = TimeSpan.FromSeconds(5);
}
