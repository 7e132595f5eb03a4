using AmiPki.Core.Storage;

namespace AmiPki.Server.Jobs;

/// <summary>Marks certificates past notAfter as expired (they stay stored: CRLs and audits still refer to them).</summary>
public sealed class CertificateHousekeepingJob(ICertificateHousekeeping housekeeping, TimeProvider time) : IAmiPkiJob
{
    public string Name => JobNames.CertificateHousekeeping;

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var marked = await housekeeping.MarkExpiredAsync(time.GetUtcNow(), cancellationToken);
        return $"{marked} certificates marked expired";
    }
}
