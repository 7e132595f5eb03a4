using System.Net;
using System.Net.Sockets;

namespace AmiPki.Coap.Tests.Support;

/// <summary>
/// A UDP relay between one client and a server that drops chosen datagrams (by 0-based index per
/// direction), to show that retransmission recovers from loss.
/// </summary>
public sealed class LossyUdpProxy : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly IPEndPoint _server;
    private readonly HashSet<int> _dropToServer;
    private readonly HashSet<int> _dropToClient;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private IPEndPoint? _client;
    private int _toServer;
    private int _toClient;

    public LossyUdpProxy(IPEndPoint server, IEnumerable<int> dropToServer, IEnumerable<int> dropToClient)
    {
        _server = server;
        _dropToServer = [.. dropToServer];
        _dropToClient = [.. dropToClient];
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _loop = Task.Run(RelayAsync);
    }

    public IPEndPoint LocalEndPoint { get; }

    public int Dropped { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _socket.Dispose();
        try
        {
            await _loop;
        }
        catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }

        _stopping.Dispose();
    }

    private async Task RelayAsync()
    {
        var buffer = new byte[65_535];
        while (!_stopping.IsCancellationRequested)
        {
            var received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stopping.Token);
            var from = (IPEndPoint)received.RemoteEndPoint;
            bool fromServer = from.Equals(_server);
            if (!fromServer)
            {
                _client ??= from;
            }

            int index = fromServer ? _toClient++ : _toServer++;
            if ((fromServer ? _dropToClient : _dropToServer).Contains(index))
            {
                Dropped++;
                continue;
            }

            var target = fromServer ? _client : _server;
            if (target is not null)
            {
                await _socket.SendToAsync(buffer.AsMemory(0, received.ReceivedBytes), SocketFlags.None, target, _stopping.Token);
            }
        }
    }
}
