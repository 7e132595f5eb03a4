using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace AmiPki.Coap.Dtls;

/// <summary>
/// A DTLS 1.2 client on its own connected UDP socket (for device simulators and tests): handshake with
/// retransmission (RFC 6347 §4.2.4), then datagram send/receive.
/// </summary>
public sealed class DtlsClient : IAsyncDisposable
{
    private const int ReceiveBufferSize = 65_535;

    private readonly Socket _socket;
    private readonly DtlsClientContext _context;
    private readonly bool _ownsContext;
    private readonly DtlsSession _session;
    private readonly DtlsClientOptions _options;
    /// <summary>Decrypted datagrams for <see cref="ReceiveAsync"/>. A waiting reader resumes on the receive loop's thread,
    /// not after one more thread-pool hop per datagram; the loop reads on once the reader awaits again.</summary>
    private readonly Channel<byte[]> _received = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions
    {
        SingleReader = false,
        SingleWriter = true,
        AllowSynchronousContinuations = true,
    });
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>One receive buffer, used by the handshake and then the receive loop (never both), from the pool: a fleet
    /// simulator opens thousands of clients.</summary>
    private readonly byte[] _buffer = ArrayPool<byte>.Shared.Rent(ReceiveBufferSize);
    private Task? _receiveLoop;

    private DtlsClient(IPEndPoint server, DtlsClientContext context, bool ownsContext, DtlsClientIdentity? identity = null)
    {
        _options = context.Options;
        _context = context;
        _ownsContext = ownsContext;
        Server = server;
        var options = context.Options;
        var ssl = DtlsSession.CreateSsl(context.Native);
        if (identity is not null)
        {
            try
            {
                identity.ApplyTo(ssl.Ssl);
            }
            catch
            {
                OpenSslNative.SSL_free(ssl.Ssl);
                throw;
            }
        }

        OpenSslNative.SSL_set_connect_state(ssl.Ssl);
        _session = new DtlsSession(ssl.Ssl, ssl.ReadBio, ssl.WriteBio, server, options.Mtu, DateTimeOffset.UtcNow);
        _socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        bool ipv6 = server.AddressFamily == AddressFamily.InterNetworkV6;
        var localAddress = IPAddress.IsLoopback(server.Address)
            ? (ipv6 ? IPAddress.IPv6Loopback : IPAddress.Loopback)
            : (ipv6 ? IPAddress.IPv6Any : IPAddress.Any);
        _socket.Bind(new IPEndPoint(localAddress, 0));
        _socket.Connect(server);
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint Server { get; }

    public IPEndPoint LocalEndPoint { get; }

    public IReadOnlyList<byte[]>? ServerCertificateChain => _session.PeerCertificateChain;

    public string? CipherName => _session.CipherName;

    public bool IsClosed => _session.IsClosed;

    /// <summary>
    /// Connects with a context of its own (convenient for a few connections). The local socket binds to
    /// loopback when the server is on loopback, otherwise to the wildcard address.
    /// </summary>
    public static Task<DtlsClient> ConnectAsync(IPEndPoint server, DtlsClientOptions options, CancellationToken cancellationToken) =>
        ConnectAsync(server, new DtlsClientContext(options), ownsContext: true, cancellationToken);

    /// <summary>Connects with a shared context (many connections, e.g. a simulated fleet).</summary>
    public static Task<DtlsClient> ConnectAsync(IPEndPoint server, DtlsClientContext context, CancellationToken cancellationToken) =>
        ConnectAsync(server, context, ownsContext: false, cancellationToken);

    /// <summary>
    /// Connects with a shared context but a certificate and key of this connection's own (a simulated fleet: every
    /// meter has its own IDevID). Only the certificate and key are parsed per connection; the context's compiled
    /// cipher list, groups and settings are shared, which a context per meter would rebuild every time.
    /// </summary>
    public static async Task<DtlsClient> ConnectAsync(IPEndPoint server, DtlsClientContext context, DtlsCredentials credentials, CancellationToken cancellationToken)
    {
        // The session holds references of its own to the parsed certificate and key.
        using var identity = new DtlsClientIdentity(credentials);
        return await ConnectAsync(server, context, ownsContext: false, cancellationToken, identity).ConfigureAwait(false);
    }

    /// <summary>
    /// Connects with a shared context and a device identity parsed beforehand (a meter keeps its IDevID loaded; a fleet
    /// simulator makes them with the meters): nothing is parsed per connection.
    /// </summary>
    public static Task<DtlsClient> ConnectAsync(IPEndPoint server, DtlsClientContext context, DtlsClientIdentity identity, CancellationToken cancellationToken) =>
        ConnectAsync(server, context, ownsContext: false, cancellationToken, identity);

    private static async Task<DtlsClient> ConnectAsync(IPEndPoint server, DtlsClientContext context, bool ownsContext, CancellationToken cancellationToken,
        DtlsClientIdentity? identity = null)
    {
        DtlsClient client;
        try
        {
            client = new DtlsClient(server, context, ownsContext, identity);
        }
        catch
        {
            if (ownsContext)
            {
                context.Dispose();
            }

            throw;
        }

        try
        {
            await client.HandshakeAsync(cancellationToken).ConfigureAwait(false);
            client._receiveLoop = Task.Run(client.ReceiveLoopAsync, CancellationToken.None);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public ValueTask SendAsync(ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken)
    {
        var outgoing = new List<byte[]>();
        lock (_session.Gate)
        {
            if (!_session.Write(datagram.Span, outgoing))
            {
                throw new DtlsException($"session closed: {_session.FailureReason}");
            }
        }

        return SendAllAsync(outgoing, cancellationToken);
    }

    /// <summary>The next decrypted datagram from the server.</summary>
    public ValueTask<byte[]> ReceiveAsync(CancellationToken cancellationToken) => _received.Reader.ReadAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        var outgoing = new List<byte[]>();
        lock (_session.Gate)
        {
            _session.Close(outgoing);
        }

        try
        {
            await SendAllAsync(outgoing, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        if (_receiveLoop is not null)
        {
            await _receiveLoop.ConfigureAwait(false);
        }

        lock (_session.Gate)
        {
            _session.Dispose();
        }

        if (_ownsContext)
        {
            _context.Dispose();
        }

        // Nothing reads into the buffer any more: the receive loop has ended and the handshake is over.
        ArrayPool<byte>.Shared.Return(_buffer);
        _stopping.Dispose();
    }

    private async Task HandshakeAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.HandshakeTimeout);
        var buffer = _buffer;
        var outgoing = new List<byte[]>();
        string? refusal = null;
        lock (_session.Gate)
        {
            using var scope = new DtlsCallbackScope(Server, null, _options.ServerCertificateValidator);
            _session.Advance(outgoing);
        }

        await SendAllAsync(outgoing, deadline.Token).ConfigureAwait(false);
        while (!_session.IsEstablished && !_session.IsClosed)
        {
            TimeSpan wait;
            lock (_session.Gate)
            {
                wait = _session.RetransmissionDue() ?? TimeSpan.FromMilliseconds(100);
            }

            using var waitCancellation = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
            waitCancellation.CancelAfter(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait);
            int length = -1;
            try
            {
                length = await _socket.ReceiveAsync(buffer, SocketFlags.None, waitCancellation.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!deadline.IsCancellationRequested)
            {
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"DTLS handshake with {Server} did not finish within {_options.HandshakeTimeout}");
            }
            catch (SocketException exception)
            {
                throw new DtlsException($"DTLS handshake with {Server}: {exception.Message}", exception);
            }

            outgoing.Clear();
            lock (_session.Gate)
            {
                using var scope = new DtlsCallbackScope(Server, null, _options.ServerCertificateValidator);
                if (length >= 0)
                {
                    _session.Receive(buffer.AsSpan(0, length), [], outgoing);
                }
                else
                {
                    _session.HandleRetransmissionTimer(outgoing);
                }

                refusal ??= scope.RefusalReason;
            }

            await SendAllAsync(outgoing, deadline.Token).ConfigureAwait(false);
        }

        if (!_session.IsEstablished || _session.IsClosed)
        {
            throw new DtlsException($"DTLS handshake with {Server} failed: {refusal ?? _session.FailureReason}");
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = _buffer;
        try
        {
            while (!_stopping.IsCancellationRequested && !_session.IsClosed)
            {
                int length;
                try
                {
                    length = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stopping.Token).ConfigureAwait(false);
                }
                catch (SocketException exception) when (exception.SocketErrorCode == SocketError.ConnectionRefused)
                {
                    // ICMP port unreachable from an earlier send: the server may come back.
                    continue;
                }

                var applicationData = new List<byte[]>();
                var outgoing = new List<byte[]>();
                lock (_session.Gate)
                {
                    using var scope = new DtlsCallbackScope(Server, null, _options.ServerCertificateValidator);
                    _session.Receive(buffer.AsSpan(0, length), applicationData, outgoing);
                }

                await SendAllAsync(outgoing, _stopping.Token).ConfigureAwait(false);
                foreach (byte[] datagram in applicationData)
                {
                    _received.Writer.TryWrite(datagram);
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
        finally
        {
            _received.Writer.TryComplete();
        }
    }

    private async ValueTask SendAllAsync(List<byte[]> datagrams, CancellationToken cancellationToken)
    {
        foreach (byte[] datagram in datagrams)
        {
            try
            {
                await _socket.SendAsync(datagram, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                // Lost like any datagram: the handshake timer retransmits.
            }
        }
    }
}
