using AmiPki.Core.Campaigns;

namespace AmiPki.Server.Jobs;

/// <summary>One renewal campaign pass (<see cref="RenewalCampaignEngine"/>).</summary>
public sealed class RenewalCampaignJob(ICampaignService campaigns) : IAmiPkiJob
{
    public string Name => JobNames.RenewalCampaign;

    public async Task<string> RunAsync(CancellationToken cancellationToken) => (await campaigns.RunAsync(cancellationToken)).ToString();
}
