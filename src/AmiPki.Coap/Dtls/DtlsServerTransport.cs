using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using AmiPki.Coap.Transport;

namespace AmiPki.Coap.Dtls;

/// <summary>
/// A DTLS 1.2 server on one UDP socket (RFC 6347, profiled by RFC 7925), exposing the decrypted
/// datagrams as an <see cref="IDatagramTransport"/>. Datagrams are demultiplexed by peer address; unknown
/// peers meet a listener SSL object answering ClientHellos statelessly with HelloVerifyRequest cookies
/// (DTLSv1_listen), so spoofed ClientHellos allocate nothing and are not amplified (RFC 6347 §4.2.1).
/// One receive loop hands each datagram to a worker chosen by peer address, so one peer's datagrams stay in
/// order while handshakes of different peers use every core; each worker has its own listener. With a single
/// worker the receive loop does the work itself, saving a copy and a thread wake-up per datagram.
/// </summary>
public sealed class DtlsServerTransport : IDatagramTransport
{
    private const int ReceiveBufferSize = 65_535;

    /// <summary>Datagrams waiting per worker; beyond it they are dropped, as an overloaded network would.</summary>
    private const int WorkerQueueCapacity = 4096;

    private readonly DtlsServerOptions _options;
    private readonly TimeProvider _time;
    private readonly Socket _socket;
    private readonly DtlsContext _context;
    private readonly DtlsCookieFactory _cookies;
    private readonly ConcurrentDictionary<IPEndPoint, DtlsSession> _sessions = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly DtlsListener[] _listeners;
    private readonly Channel<(IPEndPoint Peer, byte[] Datagram)>[] _queues;
    private readonly List<Task> _loops = [];
    private ITimer? _timer;
    private Action<ReceivedDatagram>? _onDatagram;
    private DateTimeOffset _lastIdleSweep;
    private int _timerRunning;
    private long _refusedHandshakes;
    private long _droppedDatagrams;

    public DtlsServerTransport(IPEndPoint localEndPoint, DtlsServerOptions options, TimeProvider? time = null)
    {
        _options = options;
        _time = time ?? TimeProvider.System;
        int workers = Math.Max(1, options.WorkerCount);
        _context = DtlsContext.CreateServer(options.Credentials, options.CipherList);
        _cookies = new DtlsCookieFactory(_time, options.CookieSecretLifetime);
        _listeners = new DtlsListener[workers];
        _queues = new Channel<(IPEndPoint, byte[])>[workers];
        for (int i = 0; i < workers; i++)
        {
            _listeners[i] = new DtlsListener(_context, options.Mtu);
            _queues[i] = Channel.CreateBounded<(IPEndPoint, byte[])>(new BoundedChannelOptions(WorkerQueueCapacity)
            {
                SingleReader = true,
                SingleWriter = true,
                FullMode = BoundedChannelFullMode.DropWrite,
            });
        }

        _socket = new Socket(localEndPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (options.SocketReceiveBufferSize > 0)
            {
                _socket.ReceiveBufferSize = options.SocketReceiveBufferSize;
            }

            _socket.Bind(localEndPoint);
        }
        catch
        {
            _socket.Dispose();
            foreach (var listener in _listeners)
            {
                listener.Dispose();
            }

            _context.Dispose();
            throw;
        }

        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Raised on a worker when a handshake completes: the peer and the negotiated cipher suite.</summary>
    public event Action<IPEndPoint, string?>? SessionEstablished;

    public int SessionCount => _sessions.Count;

    /// <summary>Handshakes that failed or were refused (certificate check, session cap, errors).</summary>
    public long RefusedHandshakeCount => Interlocked.Read(ref _refusedHandshakes);

    /// <summary>Datagrams dropped because a worker's queue was full (overload).</summary>
    public long DroppedDatagramCount => Interlocked.Read(ref _droppedDatagrams);

    /// <summary>The cipher suite negotiated with a peer, when established (diagnostics and tests).</summary>
    public string? GetCipherName(IPEndPoint peer) =>
        _sessions.TryGetValue(peer, out var session) && session.IsEstablished ? session.CipherName : null;

    public IReadOnlyList<IPEndPoint> EstablishedPeers =>
        _sessions.Where(entry => entry.Value.IsEstablished && !entry.Value.IsClosed).Select(entry => entry.Key).ToArray();

    public void Start(Action<ReceivedDatagram> onDatagram)
    {
        if (_onDatagram is not null)
        {
            throw new InvalidOperationException("already started");
        }

        _onDatagram = onDatagram;
        _lastIdleSweep = _time.GetUtcNow();
        _timer = _time.CreateTimer(_ => OnTimer(), null, _options.TimerResolution, _options.TimerResolution);
        for (int i = 0; i < _queues.Length && !ProcessesInline; i++)
        {
            int worker = i;
            _loops.Add(Task.Run(() => WorkerLoopAsync(worker)));
        }

        _loops.Add(Task.Factory.StartNew(ReceiveLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
    }

    public ValueTask SendAsync(IPEndPoint peer, ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken)
    {
        if (_sessions.TryGetValue(peer, out var session))
        {
            var outgoing = new List<byte[]>();
            lock (session.Gate)
            {
                session.Write(datagram.Span, outgoing);
            }

            SendAll(peer, outgoing);
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var session in _sessions.Values)
        {
            var outgoing = new List<byte[]>();
            lock (session.Gate)
            {
                session.Close(outgoing);
            }

            SendAll(session.Peer, outgoing);
        }

        _socket.Dispose();
        foreach (var queue in _queues)
        {
            queue.Writer.TryComplete();
        }

        await Task.WhenAll(_loops).ConfigureAwait(false);

        foreach (var session in _sessions.Values)
        {
            lock (session.Gate)
            {
                session.Dispose();
            }
        }

        _sessions.Clear();
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }

        _context.Dispose();
        _stopping.Dispose();
    }

    private void ReceiveLoop()
    {
        var buffer = new byte[ReceiveBufferSize];
        EndPoint any = new IPEndPoint(LocalEndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!_stopping.IsCancellationRequested)
        {
            int length;
            EndPoint remote = any;
            try
            {
                length = _socket.ReceiveFrom(buffer, SocketFlags.None, ref remote);
            }
            catch (SocketException exception) when (exception.SocketErrorCode != SocketError.OperationAborted && exception.SocketErrorCode != SocketError.Interrupted)
            {
                continue;
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
            {
                return;
            }

            var peer = (IPEndPoint)remote;
            if (ProcessesInline)
            {
                ProcessSafely(_listeners[0], peer, buffer.AsSpan(0, length));
                continue;
            }

            int worker = (int)((uint)peer.GetHashCode() % (uint)_queues.Length);
            if (!_queues[worker].Writer.TryWrite((peer, buffer.AsSpan(0, length).ToArray())))
            {
                Interlocked.Increment(ref _droppedDatagrams);
            }
        }
    }

    private async Task WorkerLoopAsync(int worker)
    {
        await foreach (var (peer, datagram) in _queues[worker].Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            ProcessSafely(_listeners[worker], peer, datagram);
        }
    }

    /// <summary>One worker only: the receive thread handles each datagram itself (see <see cref="DtlsServerOptions.WorkerCount"/>).</summary>
    private bool ProcessesInline => _queues.Length == 1;

    private void ProcessSafely(DtlsListener listener, IPEndPoint peer, ReadOnlySpan<byte> datagram)
    {
        try
        {
            OnCiphertext(listener, peer, datagram);
        }
#pragma warning disable CA1031 // One peer's datagram must never stop a worker or the receive loop.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private void OnCiphertext(DtlsListener listener, IPEndPoint peer, ReadOnlySpan<byte> datagram)
    {
        var outgoing = new List<byte[]>();
        var applicationData = new List<byte[]>();
        if (_sessions.TryGetValue(peer, out var session)
            && !(session.IsEstablished && DtlsRecordPacker.IsInitialClientHello(datagram)))
        {
            bool wasEstablished;
            lock (session.Gate)
            {
                wasEstablished = session.IsEstablished;
                using (new DtlsCallbackScope(peer, _cookies, _options.ClientCertificateValidator))
                {
                    session.Receive(datagram, applicationData, outgoing);
                }

                session.LastActivity = _time.GetUtcNow();
            }

            SendAll(peer, outgoing);
            if (!wasEstablished && session.IsEstablished && !session.IsClosed)
            {
                RaiseSessionEstablished(session);
            }

            if (session.IsClosed)
            {
                Remove(session);
            }

            Deliver(session, applicationData);
            return;
        }

        // Unknown peer, or a new handshake (epoch-0 ClientHello) from an established one, which replaces
        // the old session once its cookie round trip succeeds. Anything else from an unknown peer is ignored.
        if (DtlsRecordPacker.IsInitialClientHello(datagram))
        {
            Listen(listener, peer, datagram);
        }
    }

    private void Listen(DtlsListener listener, IPEndPoint peer, ReadOnlySpan<byte> clientHello)
    {
        var outgoing = new List<byte[]>();
        var accepted = listener.Offer(peer, clientHello, _cookies, outgoing);

        // Only a HelloVerifyRequest goes out for a ClientHello without a valid cookie: no larger than what
        // came in (RFC 6347 §4.2.1), and nothing is remembered.
        SendAll(peer, outgoing);
        if (accepted is not { } ssl)
        {
            return;
        }

        bool replacing = _sessions.ContainsKey(peer);
        if (!replacing && _sessions.Count >= _options.MaxSessions)
        {
            Interlocked.Increment(ref _refusedHandshakes);
            OpenSslNative.SSL_free(ssl.Ssl);
            return;
        }

        var session = new DtlsSession(ssl.Ssl, ssl.ReadBio, ssl.WriteBio, peer, _options.Mtu, _time.GetUtcNow());
        if (_sessions.TryRemove(peer, out var previous))
        {
            lock (previous.Gate)
            {
                previous.Dispose();
            }
        }

        _sessions[peer] = session;
        outgoing.Clear();
        lock (session.Gate)
        {
            using (new DtlsCallbackScope(peer, _cookies, _options.ClientCertificateValidator))
            {
                // DTLSv1_listen kept the ClientHello: the handshake goes on from it.
                session.Advance(outgoing);
            }
        }

        SendAll(peer, outgoing);
        if (session.IsClosed)
        {
            Remove(session);
        }
    }

    private void Deliver(DtlsSession session, List<byte[]> applicationData)
    {
        if (_onDatagram is not { } onDatagram)
        {
            return;
        }

        foreach (byte[] data in applicationData)
        {
            try
            {
                onDatagram(new ReceivedDatagram(session.Peer, data, session.PeerCertificateChain));
            }
#pragma warning disable CA1031 // The layer above must not break the receive loop.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }

    private void RaiseSessionEstablished(DtlsSession session)
    {
        try
        {
            SessionEstablished?.Invoke(session.Peer, session.CipherName);
        }
#pragma warning disable CA1031 // An observer must not break the receive loop.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private void OnTimer()
    {
        // Timer callbacks may overlap when one runs long: one at a time is enough.
        if (Interlocked.Exchange(ref _timerRunning, 1) == 1)
        {
            return;
        }

        try
        {
            var now = _time.GetUtcNow();
            bool sweepIdle = now - _lastIdleSweep >= TimeSpan.FromSeconds(1) || _options.IdleTimeout < TimeSpan.FromSeconds(2);
            if (sweepIdle)
            {
                _lastIdleSweep = now;
            }

            foreach (var session in _sessions.Values)
            {
                if (session.IsEstablished && !sweepIdle)
                {
                    continue;
                }

                var outgoing = new List<byte[]>();
                lock (session.Gate)
                {
                    if (session.IsClosed)
                    {
                        // Already over; removed below.
                    }
                    else if (session.IsEstablished ? now - session.LastActivity >= _options.IdleTimeout : now - session.Created >= _options.HandshakeTimeout)
                    {
                        session.Close(outgoing);
                    }
                    else if (!session.IsEstablished)
                    {
                        session.HandleRetransmissionTimer(outgoing);
                    }
                }

                SendAll(session.Peer, outgoing);
                if (session.IsClosed)
                {
                    Remove(session);
                }
            }
        }
#pragma warning disable CA1031 // A timer callback must not crash the process.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        finally
        {
            Volatile.Write(ref _timerRunning, 0);
        }
    }

    private void Remove(DtlsSession session)
    {
        if (_sessions.TryRemove(new KeyValuePair<IPEndPoint, DtlsSession>(session.Peer, session)))
        {
            if (!session.IsEstablished)
            {
                Interlocked.Increment(ref _refusedHandshakes);
            }

            lock (session.Gate)
            {
                session.Dispose();
            }
        }
    }

    private void SendAll(IPEndPoint peer, List<byte[]> datagrams)
    {
        foreach (byte[] datagram in datagrams)
        {
            try
            {
                _socket.SendTo(datagram, SocketFlags.None, peer);
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
            {
                // Lost like any UDP datagram; DTLS retransmission or the layer above recovers.
            }
        }
    }
}
