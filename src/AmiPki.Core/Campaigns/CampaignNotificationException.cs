namespace AmiPki.Core.Campaigns;

/// <summary>A notification the head-end did not accept (an error status, a timeout, a refused connection).</summary>
public sealed class CampaignNotificationException : Exception
{
    public CampaignNotificationException(string message)
        : base(message)
    {
    }

    public CampaignNotificationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CampaignNotificationException()
    {
    }
}
