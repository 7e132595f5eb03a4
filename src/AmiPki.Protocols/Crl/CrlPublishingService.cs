using Microsoft.Extensions.Hosting;

namespace AmiPki.Protocols.Crl;

/// <summary>Drives <see cref="CrlPublisher"/>: builds every issuer's CRLs at start, then rebuilds what is due on each tick.</summary>
internal sealed class CrlPublishingService : BackgroundService
{
    private readonly CrlPublisher _publisher;
    private readonly CrlPublishingOptions _options;
    private readonly TimeProvider _time;

    public CrlPublishingService(CrlPublisher publisher, CrlPublishingOptions options, TimeProvider time)
    {
        _publisher = publisher;
        _options = options;
        _time = time;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.Tick, _time);
        do
        {
            try
            {
                await _publisher.RunDueAsync(stoppingToken);
            }
#pragma warning disable CA1031 // A failed build is logged by the publisher; the next tick tries again.
            catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
            {
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
