using System.Collections.Concurrent;

namespace AmiPki.Protocols.Ocsp;

/// <summary>
/// Pre-signed responses by certificate, bounded in size. Lock-free reads (the hot path); a generation counter lets a
/// writer that read storage before a revocation see that its answer is stale and not cache it.
/// </summary>
public sealed class OcspResponseCache
{
    private readonly ConcurrentDictionary<OcspCacheKey, OcspReply> _entries = new();
    private readonly int _capacity;
    private long _generation;

    public OcspResponseCache(int capacity)
    {
        _capacity = capacity;
    }

    public int Count => _entries.Count;

    /// <summary>Changes whenever a status changes; read it before reading storage, pass it to <see cref="TryAdd"/>.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    public bool TryGet(OcspCacheKey key, out OcspReply reply) => _entries.TryGetValue(key, out reply!);

    /// <summary>Caches unless a status changed since <paramref name="generation"/> or the cache is full.</summary>
    public bool TryAdd(OcspCacheKey key, OcspReply reply, long generation)
    {
        if (_entries.Count >= _capacity && !_entries.ContainsKey(key))
        {
            return false;
        }
        _entries[key] = reply;
        if (Generation != generation)
        {
            // A revocation raced with this answer: drop it rather than serve a stale "good".
            _entries.TryRemove(KeyValuePair.Create(key, reply));
            return false;
        }
        return true;
    }

    /// <summary>Drops every cached answer for these serials; returns the keys that were cached (to re-sign them).</summary>
    public List<OcspCacheKey> Invalidate(int issuer, IEnumerable<string> serialHexes)
    {
        Interlocked.Increment(ref _generation);
        var removed = new List<OcspCacheKey>();
        foreach (var serial in serialHexes)
        {
            var normalized = serial.ToUpperInvariant();
            foreach (var hash in Enum.GetValues<OcspHashAlgorithm>())
            {
                var key = new OcspCacheKey(issuer, hash, normalized);
                if (_entries.TryRemove(key, out _))
                {
                    removed.Add(key);
                }
            }
        }
        return removed;
    }

    /// <summary>Drops every answer of one issuer (its responder changed).</summary>
    public void InvalidateIssuer(int issuer)
    {
        Interlocked.Increment(ref _generation);
        foreach (var key in _entries.Keys)
        {
            if (key.Issuer == issuer)
            {
                _entries.TryRemove(key, out _);
            }
        }
    }

    /// <summary>Removes answers past their nextUpdate and returns, up to <paramref name="limit"/>, those due for re-signing.</summary>
    public List<KeyValuePair<OcspCacheKey, OcspReply>> Sweep(DateTimeOffset now, int limit)
    {
        var due = new List<KeyValuePair<OcspCacheKey, OcspReply>>();
        foreach (var entry in _entries)
        {
            if (entry.Value.NextUpdate <= now)
            {
                _entries.TryRemove(entry);
            }
            else if (entry.Value.RefreshAt <= now && due.Count < limit)
            {
                due.Add(entry);
            }
        }
        return due;
    }
}
