using AmiPki.Protocols.Ocsp;

namespace AmiPki.Server.Jobs;

/// <summary>Re-signs pre-signed OCSP responses that reached their refresh time, so none is served near its nextUpdate.</summary>
public sealed class OcspRefreshJob(OcspResponder responder) : IAmiPkiJob
{
    public string Name => JobNames.OcspRefresh;

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        if (!responder.Ready.IsCompletedSuccessfully)
        {
            return "the responder is still starting: nothing to refresh yet";
        }
        var count = await responder.RefreshResponsesAsync(cancellationToken);
        return $"{count} responses re-signed ({responder.Cache.Count} cached)";
    }
}
