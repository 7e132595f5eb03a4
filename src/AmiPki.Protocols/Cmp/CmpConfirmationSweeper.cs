using AmiPki.Core.Revocation;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AmiPki.Protocols.Cmp;

/// <summary>
/// Revokes certificates whose certConf never came within <see cref="CmpOptions.ConfirmWaitSeconds"/> (RFC 4210
/// §5.3.18: the requester did not accept it, so it must not stay valid) and forgets finished transactions after the
/// replay window, from storage (RFC 4210 §5.3.18 holds across restarts and nodes). Runs every <see cref="CmpOptions.SweepIntervalSeconds"/> on the injected clock.
/// </summary>
public sealed class CmpConfirmationSweeper : BackgroundService
{
    private readonly CmpTransactionStore _transactions;
    private readonly CmpRevoker _revoker;
    private readonly CmpAudit _audit;
    private readonly CmpOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public CmpConfirmationSweeper(CmpTransactionStore transactions, CmpRevoker revoker, CmpAudit audit, CmpOptions options, TimeProvider time,
        ILogger<CmpConfirmationSweeper> logger)
    {
        _transactions = transactions;
        _revoker = revoker;
        _audit = audit;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>One sweep: revokes what expired unconfirmed; returns how many.</summary>
    public async Task<int> SweepAsync()
    {
        var window = Math.Max(Math.Max(_options.ReplayWindowSeconds, _options.ConfirmWaitSeconds), 2 * _options.MessageTimeToleranceSeconds);
        // From storage: an unconfirmed certificate is revoked after its deadline even if the node that issued it restarted
        // or is gone; the compare-and-set makes one node do it.
        var expired = await _transactions.SweepAsync(_time.GetUtcNow(), TimeSpan.FromSeconds(window));
        foreach (var transaction in expired)
        {
            await _revoker.RevokeAsync(transaction.Issuer!, transaction.SerialHex!, RevocationReason.CessationOfOperation, "unconfirmed");
            CmpLog.UnconfirmedRevoked(_logger, transaction.SerialHex!, transaction.Issuer!);
            await _audit.AppendAsync(transaction.Identity, "revoked",
                $"certificate {transaction.Issuer}/{transaction.SerialHex} not confirmed within {_options.ConfirmWaitSeconds}s (RFC 4210 §5.3.18)");
        }
        return expired.Count;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, _options.SweepIntervalSeconds)), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await SweepAsync();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    CmpLog.SweepFailed(_logger, e);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Host stopping.
        }
    }
}
