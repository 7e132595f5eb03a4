using AmiPki.Core.Storage;

namespace AmiPki.Core.Campaigns;

/// <summary>Where campaign entries are kept (durably: a restart resumes the campaign where it was).</summary>
public interface ICampaignStore
{
    /// <summary>Adds new entries in one durable operation; a certificate already in a campaign is left as it is. Returns how many were added.</summary>
    Task<int> AddAsync(IReadOnlyList<CampaignEntry> entries, CancellationToken cancellationToken);

    /// <summary>Writes back entries the engine changed (state, attempts, times).</summary>
    Task UpdateAsync(IReadOnlyList<CampaignEntry> entries, CancellationToken cancellationToken);

    /// <summary>Whether a certificate is already in a campaign.</summary>
    Task<bool> ContainsAsync(string issuer, string serialHex, CancellationToken cancellationToken);

    Task<IReadOnlyList<CampaignEntry>> ListAsync(CampaignQuery query, CancellationToken cancellationToken);

    /// <summary>The latest renewal time scheduled for each DCU (to continue a DCU's spacing across passes).</summary>
    Task<IReadOnlyDictionary<string, DateTimeOffset>> LastScheduledByDcuAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<CampaignDcuSummary>> SummarizeByDcuAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Issued, unrevoked certificates of <paramref name="profile"/> with <paramref name="notAfterFrom"/> &lt; notAfter &lt;
    /// <paramref name="notAfterBefore"/> that are in no campaign, leaving out AmiPki's own (protocol internal). Ordered by
    /// (notAfter, issuer, serial); <paramref name="after"/> is the last row of the previous page (keyset paging).
    /// </summary>
    Task<IReadOnlyList<CertificateRecord>> ListUnscheduledAsync(string profile, DateTimeOffset notAfterFrom, DateTimeOffset notAfterBefore,
        CertificateRecord? after, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Marks renewed every open entry (due, notified, overdue) for which a newer issued certificate exists with the same
    /// subject (and system title) under the same profile; records that certificate. Returns how many were marked.
    /// </summary>
    Task<int> MarkRenewedAsync(CancellationToken cancellationToken);

    /// <summary>Marks overdue the due and notified entries scheduled at or before <paramref name="scheduledBefore"/> or expired by <paramref name="now"/>.</summary>
    Task<int> MarkOverdueAsync(DateTimeOffset scheduledBefore, DateTimeOffset now, CancellationToken cancellationToken);
}
