using AmiPki.Core.Authorities;
using AmiPki.Core.Crl;
using AmiPki.Core.Revocation;
using Microsoft.Extensions.Logging;

namespace AmiPki.Protocols.Crl;

/// <summary>
/// Holds each issuer's current complete and delta CRL and rebuilds them: on a timer, and shortly after any revocation
/// (it listens to <see cref="RevocationNotifier"/>). A delta always refers to a base complete CRL that changes only
/// every <see cref="CrlPublishingOptions.BaseInterval"/> (or when the delta grows large), while the complete CRL is
/// rebuilt with every change; any complete CRL at least as new as the base completes the delta (RFC 5280 §5.2.4).
/// </summary>
public sealed class CrlPublisher : IRevocationListener, IDisposable
{
    private readonly CrlGenerator _generator;
    private readonly TimeProvider _time;
    private readonly CrlPublishingOptions _options;
    private readonly ILogger _logger;
    private readonly Dictionary<string, IssuerState> _states;
    private readonly IDisposable _subscription;

    public CrlPublisher(CaHierarchy authorities, CrlGenerator generator, RevocationNotifier notifier, TimeProvider time, CrlPublishingOptions options,
        ILogger<CrlPublisher> logger)
    {
        _generator = generator;
        _time = time;
        _options = options;
        _logger = logger;
        _states = authorities.All.ToDictionary(a => a.Name, a => new IssuerState(a), StringComparer.Ordinal);
        _subscription = notifier.Subscribe(this);
    }

    public IReadOnlyCollection<string> Issuers => _states.Keys;

    /// <summary>The current CRL, building the first one if none exists yet. Null for an issuer this instance does not serve.</summary>
    public async Task<PublishedCrl?> GetAsync(string issuer, bool delta, CancellationToken cancellationToken)
    {
        if (!_states.TryGetValue(issuer, out var state))
        {
            return null;
        }
        if (state.Current is null)
        {
            await RebuildAsync(state, cancellationToken);
        }
        var current = state.Current;
        return delta ? current?.Delta : current?.Full;
    }

    /// <summary>
    /// Rebuilds what is due: dirty issuers whose debounce passed, and (with <see cref="CrlPublishingOptions.RefreshInBackground"/>)
    /// every issuer at its refresh interval.
    /// </summary>
    public async Task RunDueAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        foreach (var state in _states.Values)
        {
            var dirtySince = Volatile.Read(ref state.DirtySinceTicks);
            var dirtyDue = dirtySince != 0 && now.UtcTicks - dirtySince >= _options.RevocationDebounce.Ticks;
            var refreshDue = _options.RefreshInBackground && (state.Current is null || now - state.Current.BuiltAt >= _options.RefreshInterval
                || state.Current.Delta.NextUpdate - now < _options.RefreshInterval);
            if (dirtyDue || refreshDue)
            {
                await RebuildAsync(state, cancellationToken);
            }
        }
    }

    /// <summary>Rebuilds one issuer's CRLs now (and makes its complete CRL the new delta base when <paramref name="newBase"/>).</summary>
    public async Task<(PublishedCrl Full, PublishedCrl Delta)> RebuildAsync(string issuer, bool newBase, CancellationToken cancellationToken)
    {
        var state = _states.GetValueOrDefault(issuer) ?? throw new ArgumentException($"no CA named '{issuer}'");
        await RebuildAsync(state, cancellationToken, newBase);
        return (state.Current!.Full, state.Current.Delta);
    }

    /// <summary>Rebuilds every issuer's CRLs now (the scheduler's <c>crl-publication</c> job); failures propagate.</summary>
    public async Task<IReadOnlyList<PublishedCrl>> PublishAllAsync(CancellationToken cancellationToken)
    {
        var published = new List<PublishedCrl>();
        foreach (var issuer in _states.Keys.Order(StringComparer.Ordinal))
        {
            var state = _states[issuer];
            var before = state.Current;
            await RebuildAsync(state, cancellationToken);
            if (ReferenceEquals(state.Current, before))
            {
                // RebuildAsync logged the failure and kept the previous CRLs; the job must report it failed.
                throw new InvalidOperationException($"building the CRLs of {issuer} failed; the previous ones stay published");
            }
            published.Add(state.Current!.Full);
        }
        return published;
    }

    public void OnRevocationChanged(RevocationChange change)
    {
        if (_states.TryGetValue(change.Issuer, out var state))
        {
            // Keep the first dirty time: a steady stream of revocations must not postpone the rebuild forever.
            Interlocked.CompareExchange(ref state.DirtySinceTicks, _time.GetUtcNow().UtcTicks, 0);
        }
    }

    public void Dispose() => _subscription.Dispose();

    private async Task RebuildAsync(IssuerState state, CancellationToken cancellationToken, bool forceNewBase = false)
    {
        await state.Gate.WaitAsync(cancellationToken);
        try
        {
            var dirtyAtStart = Volatile.Read(ref state.DirtySinceTicks);
            var started = _time.GetUtcNow();
            var current = state.Current;
            var newBase = forceNewBase || current is null || started - current.BaseBuiltAt >= _options.BaseInterval
                || current.Delta.EntryCount > _options.MaxDeltaEntries;
            var full = await _generator.BuildFullAsync(state.Authority, _options.FullValidity, withFreshest: true, cancellationToken);
            var baseNumber = newBase ? full.Number : current!.BaseNumber;
            var baseBuiltAt = newBase ? started : current!.BaseBuiltAt;
            var delta = await _generator.BuildDeltaAsync(state.Authority, baseNumber, baseBuiltAt - _options.DeltaOverlap, _options.DeltaValidity,
                cancellationToken);
            state.Current = new CrlSet(full, delta, baseNumber, baseBuiltAt, started);
            // Changes notified while building may be missing from these CRLs: stay dirty for them.
            Interlocked.CompareExchange(ref state.DirtySinceTicks, 0, dirtyAtStart);
            CrlLog.Published(_logger, state.Authority.Name, full.Number, full.EntryCount, delta.Number, baseNumber, delta.EntryCount);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            CrlLog.BuildFailed(_logger, state.Authority.Name, e);
            if (state.Current is null)
            {
                throw;
            }
        }
        finally
        {
            state.Gate.Release();
        }
    }

    private sealed record CrlSet(PublishedCrl Full, PublishedCrl Delta, long BaseNumber, DateTimeOffset BaseBuiltAt, DateTimeOffset BuiltAt);

    private sealed class IssuerState(CertificateAuthority authority)
    {
        public long DirtySinceTicks;

        public CertificateAuthority Authority { get; } = authority;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public volatile CrlSet? Current;
    }
}
