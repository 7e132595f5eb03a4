using System.Net.Sockets;
using System.Net;

namespace AmiPki.Interop.Tests.Support;

/// <summary>
/// A load balancer without affinity, for cluster tests: a TCP relay on 127.0.0.1 that sends each new connection to the
/// next backend in turn (node A, node B, node A, ...). With clients that open a connection per request (openssl cmp
/// <c>-keep_alive 0</c>, curl without reuse), consecutive requests of one client land on alternating nodes.
/// </summary>
public sealed class RoundRobinRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IReadOnlyList<int> _backends;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _next;
    private int _connections;

    public RoundRobinRelay(params int[] backendPorts)
    {
        _backends = backendPorts;
        _listener.Start();
        _accepting = Task.Run(AcceptAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections relayed so far, per backend index.</summary>
    public int Connections => Volatile.Read(ref _connections);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            var backend = _backends[(Interlocked.Increment(ref _next) - 1) % _backends.Count];
            Interlocked.Increment(ref _connections);
            _ = Task.Run(() => RelayAsync(client, backend));
        }
    }

    private async Task RelayAsync(TcpClient client, int backendPort)
    {
        using (client)
        using (var backend = new TcpClient())
        {
            try
            {
                await backend.ConnectAsync(IPAddress.Loopback, backendPort, _stop.Token);
                var up = client.GetStream().CopyToAsync(backend.GetStream(), _stop.Token);
                var down = backend.GetStream().CopyToAsync(client.GetStream(), _stop.Token);
                await Task.WhenAny(up, down);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // One side closed: the relayed connection ends.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
