using System.Net;
using AmiPki.Coap.Messages;

namespace AmiPki.Coap.BlockWise;

/// <summary>
/// Server side of Block1 (RFC 7959 §2.3): collects the blocks of a request body in order, answers
/// 2.31 Continue until the last one, 4.08 on a gap or an out-of-order block, 4.13 (with Size1) when the
/// body would exceed its cap. Every reassembly is bounded per peer and globally, and dropped when stale.
/// Thread-safe.
/// </summary>
public sealed class Block1Reassembler
{
    private readonly BlockWiseLimits _limits;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private readonly Dictionary<BlockTransferKey, Reassembly> _reassemblies = [];
    private readonly Dictionary<IPEndPoint, int> _countPerPeer = [];
    private long _bufferedBytes;
    private DateTimeOffset _nextSweep = DateTimeOffset.MinValue;

    public Block1Reassembler(BlockWiseLimits limits, TimeProvider time)
    {
        _limits = limits;
        _time = time;
    }

    public int ActiveCount
    {
        get
        {
            lock (_gate)
            {
                return _reassemblies.Count;
            }
        }
    }

    public long BufferedBytes
    {
        get
        {
            lock (_gate)
            {
                return _bufferedBytes;
            }
        }
    }

    /// <param name="declaredSize">The request's Size1, if any: the client's announced body size (RFC 7959 §4).</param>
    public Block1Outcome Offer(BlockTransferKey key, BlockOptionValue block, ReadOnlySpan<byte> payload, uint? declaredSize)
    {
        // RFC 7959 §2.2: every block but the last carries exactly the block size.
        if (block.More ? payload.Length != block.Size : payload.Length > block.Size)
        {
            Remove(key);
            return Block1Outcome.Failed(CoapCode.BadRequest, $"block {block} carries {payload.Length} bytes");
        }

        if (declaredSize > (uint)_limits.MaxBodySize || block.Offset + payload.Length > _limits.MaxBodySize)
        {
            Remove(key);
            return Block1Outcome.Failed(CoapCode.RequestEntityTooLarge, "request body too large", (uint)_limits.MaxBodySize);
        }

        lock (_gate)
        {
            var now = _time.GetUtcNow();
            RemoveStaleLocked(now);

            if (block.Number == 0)
            {
                // Block 0 always (re)starts the body: a client that restarts a transfer must not be stuck.
                RemoveLocked(key);
                if (!block.More)
                {
                    return Block1Outcome.Complete(payload.ToArray());
                }

                if (!TryReserveSlotLocked(key.Peer, payload.Length, out var refusal))
                {
                    return refusal;
                }

                var started = new Reassembly(now);
                started.Body.Write(payload);
                _reassemblies[key] = started;
                IncrementPeerLocked(key.Peer);
                _bufferedBytes += payload.Length;
                return Block1Outcome.Continue;
            }

            if (!_reassemblies.TryGetValue(key, out var reassembly))
            {
                return Block1Outcome.Failed(CoapCode.RequestEntityIncomplete, $"block {block} without block 0");
            }

            long received = reassembly.Body.Length;
            if (block.Offset + payload.Length <= received && block.Offset < received)
            {
                // A retransmission with a fresh message id of a block already taken: acknowledge again.
                reassembly.LastActivity = now;
                return Block1Outcome.Continue;
            }

            if (block.Offset != received)
            {
                RemoveLocked(key);
                return Block1Outcome.Failed(
                    CoapCode.RequestEntityIncomplete, $"block {block} at offset {block.Offset}, expected {received}");
            }

            if (_bufferedBytes + payload.Length > _limits.MaxBufferedBytes)
            {
                RemoveLocked(key);
                return Block1Outcome.Failed(CoapCode.ServiceUnavailable, "too many partial bodies held");
            }

            reassembly.Body.Write(payload);
            _bufferedBytes += payload.Length;
            reassembly.LastActivity = now;
            if (block.More)
            {
                return Block1Outcome.Continue;
            }

            byte[] body = reassembly.Body.ToArray();
            RemoveLocked(key);
            return Block1Outcome.Complete(body);
        }
    }

    public void Remove(BlockTransferKey key)
    {
        lock (_gate)
        {
            RemoveLocked(key);
        }
    }

    /// <summary>Drops reassemblies idle for longer than the timeout; returns how many.</summary>
    public int RemoveStale()
    {
        lock (_gate)
        {
            _nextSweep = DateTimeOffset.MinValue;
            return RemoveStaleLocked(_time.GetUtcNow());
        }
    }

    private bool TryReserveSlotLocked(IPEndPoint peer, int firstBlockLength, out Block1Outcome refusal)
    {
        refusal = Block1Outcome.Continue;
        if (_countPerPeer.GetValueOrDefault(peer) >= _limits.MaxReassembliesPerPeer)
        {
            // A peer that opens more transfers than allowed loses its oldest one: it can only hurt itself.
            var oldest = _reassemblies.Where(entry => entry.Key.Peer.Equals(peer))
                .MinBy(entry => entry.Value.LastActivity).Key;
            RemoveLocked(oldest);
        }

        if (_reassemblies.Count >= _limits.MaxReassemblies || _bufferedBytes + firstBlockLength > _limits.MaxBufferedBytes)
        {
            refusal = Block1Outcome.Failed(CoapCode.ServiceUnavailable, "too many concurrent block-wise transfers");
            return false;
        }

        return true;
    }

    private int RemoveStaleLocked(DateTimeOffset now)
    {
        // A full scan at most once a second keeps Offer cheap with thousands of transfers in flight.
        if (now < _nextSweep)
        {
            return 0;
        }

        _nextSweep = now + TimeSpan.FromSeconds(1);
        var cutoff = now - _limits.ReassemblyTimeout;
        var stale = _reassemblies.Where(entry => entry.Value.LastActivity <= cutoff).Select(entry => entry.Key).ToList();
        foreach (var key in stale)
        {
            RemoveLocked(key);
        }

        return stale.Count;
    }

    private void RemoveLocked(BlockTransferKey key)
    {
        if (!_reassemblies.Remove(key, out var removed))
        {
            return;
        }

        _bufferedBytes -= removed.Body.Length;
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

    private void IncrementPeerLocked(IPEndPoint peer) =>
        _countPerPeer[peer] = _countPerPeer.GetValueOrDefault(peer) + 1;

    private sealed class Reassembly(DateTimeOffset started)
    {
        public MemoryStream Body { get; } = new();

        public DateTimeOffset LastActivity { get; set; } = started;
    }
}
