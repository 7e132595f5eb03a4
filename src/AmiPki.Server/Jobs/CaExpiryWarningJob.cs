using AmiPki.Core.Audit;
using AmiPki.Core.Authorities;
using Microsoft.Extensions.Logging;

namespace AmiPki.Server.Jobs;

/// <summary>
/// Warns — in the log and in the audit trail — about every CA certificate with fewer than
/// <see cref="JobOptions.CaExpiryWarningDays"/> days left: a CA cannot issue beyond its own notAfter (RFC 5280 §6.1.3),
/// so its successor must be ready well before.
/// </summary>
public sealed class CaExpiryWarningJob(CaHierarchy authorities, IAuditLog audit, JobOptions options, TimeProvider time, ILogger<CaExpiryWarningJob> logger)
    : IAmiPkiJob
{
    public string Name => JobNames.CaExpiryWarning;

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var warnings = new List<string>();
        foreach (var ca in authorities.All.OrderBy(a => a.Name, StringComparer.Ordinal))
        {
            var notAfter = new DateTimeOffset(ca.Certificate.NotAfter.ToUniversalTime());
            var days = (int)Math.Floor((notAfter - now).TotalDays);
            if (days < options.CaExpiryWarningDays)
            {
                JobsLog.CaExpiring(logger, ca.Name, notAfter, days);
                await audit.AppendAsync(new AuditEvent(now, "ca.expiry-warning", "amipki:scheduler", "warning",
                    $"CA {ca.Name} expires {notAfter:u} ({days} days left)"), cancellationToken);
                warnings.Add($"{ca.Name} in {days} days");
            }
        }
        return warnings.Count == 0
            ? $"{authorities.All.Count} CAs, none expiring within {options.CaExpiryWarningDays} days"
            : $"expiring: {string.Join(", ", warnings)}";
    }
}
