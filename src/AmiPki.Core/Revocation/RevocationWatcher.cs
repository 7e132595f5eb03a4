using AmiPki.Core.Storage;

namespace AmiPki.Core.Revocation;

/// <summary>
/// Finds status changes made by other processes (the <c>amipki revoke</c> CLI, other nodes sharing the database) and
/// publishes them through <see cref="RevocationNotifier"/>, so a server notices them within one poll interval.
/// Each poll reads the revocations and releases of a look-back window (a revocation is stamped before its
/// transaction commits, and a large batch may commit much later) and publishes those not seen before. It also
/// listens to the notifier, so what this process revoked itself is not published twice.
/// </summary>
public sealed class RevocationWatcher : IRevocationListener, IDisposable
{
    private readonly IRevocationStore _store;
    private readonly IReadOnlyCollection<string> _issuers;
    private readonly RevocationNotifier _notifier;
    private readonly TimeProvider _time;
    private readonly TimeSpan _lookBack;
    private readonly Dictionary<(string Issuer, string Serial, RevocationReason Reason, long RevokedAt), DateTimeOffset> _seen = [];
    private readonly Lock _lock = new();
    private readonly IDisposable _subscription;
    private DateTimeOffset? _lastPoll;

    /// <param name="lookBack">How far before the previous poll to look again; longer than the slowest revocation commit.</param>
    public RevocationWatcher(IRevocationStore store, IReadOnlyCollection<string> issuers, RevocationNotifier notifier, TimeProvider time, TimeSpan lookBack)
    {
        _store = store;
        _issuers = issuers;
        _notifier = notifier;
        _time = time;
        _lookBack = lookBack;
        _subscription = notifier.Subscribe(this);
    }

    /// <summary>Reads recent changes and publishes the new ones; returns how many serials were published.</summary>
    public async Task<int> PollAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var since = (_lastPoll ?? now) - _lookBack;
        var published = 0;
        foreach (var issuer in _issuers)
        {
            var fresh = new List<RevokedEntry>();
            await foreach (var entry in _store.ListRevokedAsync(issuer, since, cancellationToken))
            {
                lock (_lock)
                {
                    if (_seen.TryAdd(KeyOf(issuer, entry.SerialHex, entry.Revocation), now))
                    {
                        fresh.Add(entry);
                    }
                }
            }
            // Group by what was recorded, so listeners get batches as the revoking process made them.
            foreach (var group in fresh.GroupBy(e => e.Revocation))
            {
                _notifier.Publish(new RevocationChange(issuer, group.Select(e => e.SerialHex).ToList(), group.Key));
                published += group.Count();
            }
        }
        lock (_lock)
        {
            // An entry leaves the query window one look-back (plus a poll) after it was recorded; forget it after two.
            var horizon = now - 2 * _lookBack - (now - (_lastPoll ?? now));
            foreach (var key in _seen.Where(p => p.Value < horizon).Select(p => p.Key).ToList())
            {
                _seen.Remove(key);
            }
        }
        _lastPoll = now;
        return published;
    }

    public void OnRevocationChanged(RevocationChange change)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            foreach (var serial in change.SerialHexes)
            {
                _seen.TryAdd(KeyOf(change.Issuer, serial, change.Revocation), now);
            }
        }
    }

    public void Dispose() => _subscription.Dispose();

    private static (string, string, RevocationReason, long) KeyOf(string issuer, string serial, RevocationInfo revocation) =>
        (issuer, serial.ToUpperInvariant(), revocation.Reason, revocation.RevokedAt.UtcTicks);
}
