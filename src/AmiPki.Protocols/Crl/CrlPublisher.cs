using AmiPki.Core.Authorities;
using AmiPki.Core.Crl;
using AmiPki.Core.Revocation;
using AmiPki.Core.Storage;
using Microsoft.Extensions.Logging;

namespace AmiPki.Protocols.Crl;

/// <summary>
/// Holds each issuer's current complete and delta CRL and rebuilds them: on a timer, and shortly after any revocation
/// (it listens to <see cref="RevocationNotifier"/>). A delta always refers to a base complete CRL that changes only
/// every <see cref="CrlPublishingOptions.BaseInterval"/> (or when the delta grows large), while the complete CRL is
/// rebuilt with every change; any complete CRL at least as new as the base completes the delta (RFC 5280 §5.2.4).
/// With an <see cref="IPublishedCrlStore"/>, every CRL built is stored before it is served, and <see cref="GetAsync"/>
/// serves the newest stored CRL of its kind, whoever built it (this node, another node, the CLI): each request asks
/// storage for the newest number (one index lookup) and reads the CRL itself only when that number is not the one cached.
/// </summary>
public sealed class CrlPublisher : IRevocationListener, IDisposable
{
    private readonly CrlGenerator _generator;
    private readonly TimeProvider _time;
    private readonly CrlPublishingOptions _options;
    private readonly ILogger _logger;
    private readonly Dictionary<string, IssuerState> _states;
    private readonly IDisposable _subscription;
    private readonly IPublishedCrlStore? _store;

    /// <param name="store">Where published CRLs are kept and served from; without one, each instance serves the CRLs it built itself.</param>
    public CrlPublisher(CaHierarchy authorities, CrlGenerator generator, RevocationNotifier notifier, TimeProvider time, CrlPublishingOptions options,
        ILogger<CrlPublisher> logger, IPublishedCrlStore? store = null)
    {
        _store = store;
        _generator = generator;
        _time = time;
        _options = options;
        _logger = logger;
        _states = authorities.All.ToDictionary(a => a.Name, a => new IssuerState(a), StringComparer.Ordinal);
        _subscription = notifier.Subscribe(this);
    }

    public IReadOnlyCollection<string> Issuers => _states.Keys;

    /// <summary>
    /// The current CRL, building the first one if none exists yet. Null for an issuer this instance does not serve. With a
    /// store, the newest stored CRL of the kind (cached by its number); when storage cannot be reached, the one last served.
    /// </summary>
    public async Task<PublishedCrl?> GetAsync(string issuer, bool delta, CancellationToken cancellationToken)
    {
        if (!_states.TryGetValue(issuer, out var state))
        {
            return null;
        }
        if (_store is not null)
        {
            return await GetStoredAsync(_store, state, delta, cancellationToken);
        }
        if (state.Current is null)
        {
            await RebuildAsync(state, cancellationToken);
        }
        var current = state.Current;
        return delta ? current?.Delta : current?.Full;
    }

    private async Task<PublishedCrl?> GetStoredAsync(IPublishedCrlStore store, IssuerState state, bool delta, CancellationToken cancellationToken)
    {
        var cached = delta ? state.ServedDelta : state.ServedFull;
        try
        {
            var latest = await store.LatestNumberAsync(state.Authority.Name, delta, cancellationToken);
            if (latest is null)
            {
                // Nothing published yet by anyone: build (and store) the first.
                await RebuildAsync(state, cancellationToken);
                return delta ? state.ServedDelta : state.ServedFull;
            }
            if (cached is null || cached.Number != latest)
            {
                cached = await store.FindLatestAsync(state.Authority.Name, delta, cancellationToken) ?? cached;
                if (cached is not null)
                {
                    Remember(state, cached);
                }
            }
            if (cached is not null && cached.NextUpdate <= _time.GetUtcNow())
            {
                // Nobody has published for too long (no scheduler anywhere): publish now rather than serve an expired CRL.
                await RebuildAsync(state, cancellationToken);
                cached = delta ? state.ServedDelta : state.ServedFull;
            }
            return cached;
        }
        catch (StorageUnavailableException) when (cached is not null)
        {
            // Serve the last CRL read (valid until its nextUpdate) while storage is out.
            return cached;
        }
    }

    private static void Remember(IssuerState state, PublishedCrl crl)
    {
        if (crl.IsDelta)
        {
            if (state.ServedDelta is not { } served || served.Number < crl.Number)
            {
                state.ServedDelta = crl;
            }
        }
        else if (state.ServedFull is not { } served || served.Number < crl.Number)
        {
            state.ServedFull = crl;
        }
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
            if (_store is not null)
            {
                // Stored before served: every node (and the CLI) serves what is stored, so a CRL only this node holds is never published.
                await _store.SaveAsync(full, cancellationToken);
                await _store.SaveAsync(delta, cancellationToken);
                Remember(state, full);
                Remember(state, delta);
                await PruneAsync(_store, state.Authority.Name, cancellationToken);
            }
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

    private async Task PruneAsync(IPublishedCrlStore store, string issuer, CancellationToken cancellationToken)
    {
        try
        {
            await store.PruneAsync(issuer, delta: false, _options.StoredCrlsKept, cancellationToken);
            await store.PruneAsync(issuer, delta: true, _options.StoredCrlsKept, cancellationToken);
        }
        catch (StorageUnavailableException e)
        {
            // The CRLs are stored; old rows go at the next publication.
            CrlLog.BuildFailed(_logger, issuer, e);
        }
    }

    private sealed record CrlSet(PublishedCrl Full, PublishedCrl Delta, long BaseNumber, DateTimeOffset BaseBuiltAt, DateTimeOffset BuiltAt);

    private sealed class IssuerState(CertificateAuthority authority)
    {
        public long DirtySinceTicks;

        public CertificateAuthority Authority { get; } = authority;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public volatile CrlSet? Current;

        /// <summary>The newest stored CRLs read or written by this instance (with a store), by kind.</summary>
        public volatile PublishedCrl? ServedFull;

        public volatile PublishedCrl? ServedDelta;
    }
}
