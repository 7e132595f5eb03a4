namespace AmiPki.Core.Campaigns;

/// <summary>A DCU's campaign at a glance: how many of its certificates are in each state, and the renewal times' span.</summary>
public sealed record CampaignDcuSummary(
    string Dcu,
    int Due,
    int Notified,
    int Renewed,
    int Overdue,
    DateTimeOffset FirstScheduledAt,
    DateTimeOffset LastScheduledAt);
