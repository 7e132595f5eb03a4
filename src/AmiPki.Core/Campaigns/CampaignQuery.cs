namespace AmiPki.Core.Campaigns;

/// <summary>Filters for listing campaign entries; null means "any". Ordered by DCU, then renewal time.</summary>
public sealed record CampaignQuery(
    string? Dcu = null,
    CampaignEntryState? State = null,
    string? Profile = null,
    DateTimeOffset? ScheduledBefore = null,
    int Limit = 1000,
    int Offset = 0);
