using System.Net;
using System.Net.Sockets;

namespace AmiPki.Coap.Transport;

/// <summary>Plain CoAP over UDP (RFC 7252 §3, port 5683 by default).</summary>
public sealed class UdpDatagramTransport : IDatagramTransport
{
    /// <summary>Large enough for any UDP payload; CoAP messages should stay under the path MTU anyway.</summary>
    private const int ReceiveBufferSize = 65_535;

    private readonly Socket _socket;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _receiveLoop;

    public UdpDatagramTransport(IPEndPoint localEndPoint)
    {
        _socket = new Socket(localEndPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(localEndPoint);
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    public void Start(Action<ReceivedDatagram> onDatagram)
    {
        if (_receiveLoop is not null)
        {
            throw new InvalidOperationException("already started");
        }

        _receiveLoop = Task.Run(() => ReceiveLoopAsync(onDatagram));
    }

    public async ValueTask SendAsync(IPEndPoint peer, ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken)
    {
        try
        {
            await _socket.SendToAsync(datagram, SocketFlags.None, peer, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            // UDP is unreliable by contract: an unreachable peer is a lost datagram (RFC 7252 §4).
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        if (_receiveLoop is not null)
        {
            await _receiveLoop.ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private async Task ReceiveLoopAsync(Action<ReceivedDatagram> onDatagram)
    {
        var buffer = new byte[ReceiveBufferSize];
        EndPoint any = new IPEndPoint(LocalEndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!_stopping.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // ICMP port unreachable from an earlier send surfaces here on some stacks: keep listening.
                continue;
            }

            var data = buffer.AsSpan(0, received.ReceivedBytes).ToArray();
            try
            {
                onDatagram(new ReceivedDatagram((IPEndPoint)received.RemoteEndPoint, data, null));
            }
#pragma warning disable CA1031 // The receive loop must survive whatever the layer above does.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }
}
