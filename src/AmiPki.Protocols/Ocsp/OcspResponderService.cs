using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AmiPki.Protocols.Ocsp;

/// <summary>
/// Runs the responder's background work: issues the delegated responders at start, pre-signs responses, re-signs what
/// revocations invalidated, refreshes ageing responses and renews responder certificates before they expire.
/// </summary>
internal sealed class OcspResponderService : BackgroundService
{
    private readonly OcspResponder _responder;
    private readonly DelegatedResponderIssuer _responders;
    private readonly OcspResponderOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public OcspResponderService(OcspResponder responder, DelegatedResponderIssuer responders, OcspResponderOptions options, TimeProvider time,
        ILogger<OcspResponderService> logger)
    {
        _responder = responder;
        _responders = responders;
        _options = options;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        await _responder.InitializeAsync(_responders, stoppingToken);
        var resign = _responder.RunResignLoopAsync(stoppingToken);
        try
        {
            await _responder.PreSignAsync(stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            OcspLog.MaintenanceFailed(_logger, e);
        }
        if (!_options.MaintainInBackground)
        {
            await resign;
            return;
        }
        using var timer = new PeriodicTimer(_options.MaintenanceInterval, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await _responder.MaintainAsync(_responders, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                OcspLog.MaintenanceFailed(_logger, e);
            }
        }
        await resign;
    }
}
