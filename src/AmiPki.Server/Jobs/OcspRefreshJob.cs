using AmiPki.Protocols.Ocsp;

namespace AmiPki.Server.Jobs;

/// <summary>Re-signs pre-signed OCSP responses that reached their refresh time, so none is served near its nextUpdate.</summary>
public sealed class OcspRefreshJob(OcspResponder responder) : IAmiPkiJob
{
    private static readonly TimeSpan ReadyBound = TimeSpan.FromMinutes(2);

    public string Name => JobNames.OcspRefresh;

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        // At start this job may fire while the responder is still getting its delegated certificates; a responder that
        // cannot start within the bound fails the run (recorded, retried) rather than passing as "nothing to do".
        await responder.Ready.WaitAsync(ReadyBound, cancellationToken);
        var count = await responder.RefreshResponsesAsync(cancellationToken);
        return $"{count} responses re-signed ({responder.Cache.Count} cached)";
    }
}
