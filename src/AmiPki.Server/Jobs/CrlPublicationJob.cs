using AmiPki.Protocols.Crl;

namespace AmiPki.Server.Jobs;

/// <summary>
/// Rebuilds every online CA's complete and delta CRLs (<see cref="CrlPublisher"/>, which also rebuilds within seconds of
/// a revocation). Running on the scheduler means a publication that fell due while AmiPki was stopped runs at start.
/// </summary>
public sealed class CrlPublicationJob(CrlPublisher publisher) : IAmiPkiJob
{
    public string Name => JobNames.CrlPublication;

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var published = await publisher.PublishAllAsync(cancellationToken);
        return published.Count == 0
            ? "no online CA"
            : string.Join(", ", published.Select(c => $"{c.Issuer} CRL #{c.Number} ({c.EntryCount} entries, next update {c.NextUpdate:u})"));
    }
}
