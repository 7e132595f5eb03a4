namespace AmiPki.Core.Campaigns;

/// <summary>
/// What the admin API and the CLI need of renewal campaigns: the per-DCU view, the entries, and a pass on demand.
/// Implemented by <see cref="RenewalCampaignEngine"/>, which the scheduler also runs.
/// </summary>
public interface ICampaignService
{
    /// <summary>Every DCU with entries, with counts per state.</summary>
    Task<IReadOnlyList<CampaignDcuSummary>> ListDcusAsync(CancellationToken cancellationToken);

    /// <summary>Entries, filtered (per DCU, per state, ...).</summary>
    Task<IReadOnlyList<CampaignEntry>> ListEntriesAsync(CampaignQuery query, CancellationToken cancellationToken);

    /// <summary>One pass now: pick up certificates entering their window, notify what is due, detect renewals and overdue entries.</summary>
    Task<CampaignRunResult> RunAsync(CancellationToken cancellationToken);
}
