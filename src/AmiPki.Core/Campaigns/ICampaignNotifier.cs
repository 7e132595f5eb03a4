namespace AmiPki.Core.Campaigns;

/// <summary>Tells the head-end that a certificate's renewal is due (a webhook in the server).</summary>
public interface ICampaignNotifier
{
    /// <summary>False when nothing is configured to tell (entries then stay Due, tracked only).</summary>
    bool IsConfigured { get; }

    /// <summary>Delivers one notification; throws <see cref="CampaignNotificationException"/> saying why it failed.</summary>
    Task NotifyAsync(CampaignEntry entry, CancellationToken cancellationToken);
}
