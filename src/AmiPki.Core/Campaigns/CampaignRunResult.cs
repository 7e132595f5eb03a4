namespace AmiPki.Core.Campaigns;

/// <summary>What one pass of the campaign engine did.</summary>
/// <param name="Scheduled">Certificates that entered their profile's renewal window and were given a renewal time.</param>
/// <param name="Notified">Webhook calls the head-end accepted.</param>
/// <param name="NotifyFailures">Webhook calls that failed (each retried later with back-off).</param>
/// <param name="Renewed">Entries whose certificate was found renewed.</param>
/// <param name="Overdue">Entries that became overdue.</param>
public sealed record CampaignRunResult(int Scheduled, int Notified, int NotifyFailures, int Renewed, int Overdue)
{
    public override string ToString() =>
        $"{Scheduled} scheduled, {Notified} notified, {NotifyFailures} notification failures, {Renewed} renewed, {Overdue} overdue";
}
