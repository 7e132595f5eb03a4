using AmiPki.Core.Revocation;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AmiPki.Protocols.Crl;

/// <summary>
/// Polls storage for revocations made outside this process (the <c>amipki revoke</c> CLI, other nodes) so CRLs follow
/// them within <see cref="CrlPublishingOptions.StoragePollInterval"/> and OCSP re-signs them ahead of requests. OCSP does
/// not depend on this poll for correctness: each pre-signed answer is confirmed against storage before it is served.
/// </summary>
internal sealed class RevocationPollingService : BackgroundService
{
    private readonly RevocationWatcher _watcher;
    private readonly CrlPublishingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public RevocationPollingService(RevocationWatcher watcher, CrlPublishingOptions options, TimeProvider time, ILogger<RevocationPollingService> logger)
    {
        _watcher = watcher;
        _options = options;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.StoragePollInterval, _time);
        var first = true;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var count = await _watcher.PollAsync(stoppingToken);
                if (count > 0 && !first)
                {
                    CrlLog.ExternalChanges(_logger, count);
                }
                first = false;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                CrlLog.PollFailed(_logger, e);
            }
        }
    }
}
