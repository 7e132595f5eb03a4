using System.Net;

namespace AmiPki.Coap.Server;

/// <summary>
/// Remembers (endpoint, message id) for EXCHANGE_LIFETIME so a retransmitted request is not processed
/// twice; a duplicate CON gets the same answer again (RFC 7252 §4.5). Bounded: when full, the oldest
/// entry goes first. Thread-safe.
/// </summary>
internal sealed class MessageDeduplicator
{
    private readonly TimeSpan _lifetime;
    private readonly int _capacity;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private readonly Dictionary<(IPEndPoint Peer, ushort MessageId), Exchange> _exchanges = [];
    private readonly Queue<Exchange> _byExpiry = new();

    public MessageDeduplicator(TimeSpan lifetime, int capacity, TimeProvider time)
    {
        _lifetime = lifetime;
        _capacity = capacity;
        _time = time;
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _exchanges.Count;
            }
        }
    }

    /// <summary>Registers a new exchange, or returns the existing one when the message is a duplicate.</summary>
    public bool TryRegister(IPEndPoint peer, ushort messageId, out Exchange exchange) => TryRegister(peer, messageId, null, out exchange);

    /// <summary>
    /// As above, within one security association: over DTLS a message id is only a duplicate within the same session
    /// (RFC 7252 §9.1.2: the endpoint is the security association). A new session from an address and port seen
    /// before — a meter reusing an ephemeral port — starts afresh instead of being answered another session's reply.
    /// </summary>
    public bool TryRegister(IPEndPoint peer, ushort messageId, object? association, out Exchange exchange)
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            RemoveExpiredLocked(now);
            var key = (peer, messageId);
            if (_exchanges.TryGetValue(key, out var existing))
            {
                if (ReferenceEquals(existing.Association, association))
                {
                    exchange = existing;
                    return false;
                }

                _exchanges.Remove(key);
            }

            while (_exchanges.Count >= _capacity && _byExpiry.TryDequeue(out var oldest))
            {
                RemoveIfCurrentLocked(oldest);
            }

            exchange = new Exchange(peer, messageId, now + _lifetime) { Association = association };
            _exchanges[key] = exchange;
            _byExpiry.Enqueue(exchange);
            return true;
        }
    }

    private void RemoveExpiredLocked(DateTimeOffset now)
    {
        // Every entry lives the same time, so arrival order is expiry order.
        while (_byExpiry.TryPeek(out var oldest) && oldest.Expires <= now)
        {
            _byExpiry.Dequeue();
            RemoveIfCurrentLocked(oldest);
        }
    }

    private void RemoveIfCurrentLocked(Exchange exchange)
    {
        var key = (exchange.Peer, exchange.MessageId);
        if (_exchanges.TryGetValue(key, out var current) && ReferenceEquals(current, exchange))
        {
            _exchanges.Remove(key);
        }
    }

    /// <summary>One remembered exchange and the datagram to replay for a duplicate, once known.</summary>
    internal sealed class Exchange(IPEndPoint peer, ushort messageId, DateTimeOffset expires)
    {
        private byte[]? _reply;

        public IPEndPoint Peer { get; } = peer;

        public ushort MessageId { get; } = messageId;

        public DateTimeOffset Expires { get; } = expires;

        /// <summary>The security association the message came in (over DTLS, the session's identity); null over plain UDP.</summary>
        public object? Association { get; init; }

        /// <summary>The piggybacked response or empty ACK sent for it; null while still being processed.</summary>
        public byte[]? Reply
        {
            get => Volatile.Read(ref _reply);
            set => Volatile.Write(ref _reply, value);
        }
    }
}
