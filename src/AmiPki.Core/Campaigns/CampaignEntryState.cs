namespace AmiPki.Core.Campaigns;

/// <summary>Where one certificate of a renewal campaign stands.</summary>
public enum CampaignEntryState
{
    /// <summary>Picked up and given a renewal time; the head-end has not been told yet (or telling it keeps failing).</summary>
    Due,

    /// <summary>The head-end accepted the webhook for it.</summary>
    Notified,

    /// <summary>A newer certificate for the same subject and profile was issued.</summary>
    Renewed,

    /// <summary>Not renewed within <see cref="CampaignOptions.OverdueAfter"/> of its renewal time, or expired unrenewed.</summary>
    Overdue,
}
