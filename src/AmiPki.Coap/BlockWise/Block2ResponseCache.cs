using System.Net;

namespace AmiPki.Coap.BlockWise;

/// <summary>
/// Keeps whole responses that were sent in Block2 blocks, so the client's requests for the later blocks are
/// served from the same representation without running the handler again — essential for a POST whose
/// answer cannot be produced twice (RFC 7959 §2.4, §2.6). Bounded per peer and globally; entries expire.
/// Thread-safe.
/// </summary>
public sealed class Block2ResponseCache<TResponse>
    where TResponse : class
{
    private readonly BlockWiseLimits _limits;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private readonly Dictionary<BlockTransferKey, LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _insertionOrder = new();
    private readonly Dictionary<IPEndPoint, int> _countPerPeer = [];

    public Block2ResponseCache(BlockWiseLimits limits, TimeProvider time)
    {
        _limits = limits;
        _time = time;
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    public void Store(BlockTransferKey key, TResponse response)
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            RemoveLocked(key);
            RemoveExpiredLocked(now);
            if (_countPerPeer.GetValueOrDefault(key.Peer) >= _limits.MaxCachedResponsesPerPeer)
            {
                var oldestOfPeer = _insertionOrder.First(entry => entry.Key.Peer.Equals(key.Peer));
                RemoveLocked(oldestOfPeer.Key);
            }

            while (_entries.Count >= _limits.MaxCachedResponses && _insertionOrder.First is { } oldest)
            {
                RemoveLocked(oldest.Value.Key);
            }

            _entries[key] = _insertionOrder.AddLast(new Entry(key, response, now + _limits.CachedResponseLifetime));
            _countPerPeer[key.Peer] = _countPerPeer.GetValueOrDefault(key.Peer) + 1;
        }
    }

    public bool TryGet(BlockTransferKey key, out TResponse? response)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var node) && node.Value.Expires > _time.GetUtcNow())
            {
                response = node.Value.Response;
                return true;
            }

            RemoveLocked(key);
            response = null;
            return false;
        }
    }

    public void Remove(BlockTransferKey key)
    {
        lock (_gate)
        {
            RemoveLocked(key);
        }
    }

    private void RemoveExpiredLocked(DateTimeOffset now)
    {
        // Insertion order is expiry order: every entry lives the same lifetime.
        while (_insertionOrder.First is { } first && first.Value.Expires <= now)
        {
            RemoveLocked(first.Value.Key);
        }
    }

    private void RemoveLocked(BlockTransferKey key)
    {
        if (!_entries.Remove(key, out var node))
        {
            return;
        }

        _insertionOrder.Remove(node);
        int count = _countPerPeer[key.Peer] - 1;
        if (count == 0)
        {
            _countPerPeer.Remove(key.Peer);
        }
        else
        {
            _countPerPeer[key.Peer] = count;
        }
    }

    private sealed record Entry(BlockTransferKey Key, TResponse Response, DateTimeOffset Expires);
}
