using AmiPki.Core.Operations;
using Microsoft.Extensions.Logging;

namespace AmiPki.Server.Jobs;

/// <summary>
/// Renews AmiPki's own certificates — the TLS server certificate, the delegated OCSP responders, the CMP responder and
/// the SCEP RA — once they enter their renewal window, through the ordinary issuance pipeline (linted, recorded,
/// audited). A certificate that fails to renew is reported and the others still renewed; the job then fails so the
/// failure is recorded and retried.
/// </summary>
public sealed class OperationalCertificatesJob(IEnumerable<IOperationalCertificateSource> sources, ILogger<OperationalCertificatesJob> logger) : IAmiPkiJob
{
    public string Name => JobNames.OperationalCertificates;

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var renewed = new List<string>();
        var failed = new List<string>();
        var checkedCount = 0;
        foreach (var certificate in sources.SelectMany(s => s.OperationalCertificates))
        {
            checkedCount++;
            try
            {
                if (await certificate.RenewIfDueAsync(cancellationToken))
                {
                    renewed.Add(certificate.Name);
                    JobsLog.OperationalRenewed(logger, certificate.Name, certificate.NotAfter);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failed.Add($"{certificate.Name} ({e.Message})");
                JobsLog.OperationalRenewalFailed(logger, certificate.Name, e);
            }
        }
        var summary = $"{checkedCount} checked, renewed: {(renewed.Count == 0 ? "none" : string.Join(", ", renewed))}";
        return failed.Count == 0 ? summary : throw new InvalidOperationException($"{summary}; failed: {string.Join(", ", failed)}");
    }
}
