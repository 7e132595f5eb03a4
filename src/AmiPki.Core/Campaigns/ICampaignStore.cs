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
}
