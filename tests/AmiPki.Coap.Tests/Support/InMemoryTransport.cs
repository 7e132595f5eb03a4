using System.Net;
using System.Threading.Channels;
using AmiPki.Coap.Transport;

namespace AmiPki.Coap.Tests.Support;

/// <summary>A transport for message-layer tests: tests deliver datagrams and read what the server sent.</summary>
public sealed class InMemoryTransport : IDatagramTransport
{
    private readonly Channel<(IPEndPoint Peer, byte[] Data)> _sent = Channel.CreateUnbounded<(IPEndPoint, byte[])>();
    private Action<ReceivedDatagram>? _receiver;

    public IPEndPoint LocalEndPoint { get; } = new(IPAddress.Loopback, 5683);

    public void Start(Action<ReceivedDatagram> onDatagram) => _receiver = onDatagram;

    public ValueTask SendAsync(IPEndPoint peer, ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken)
    {
        _sent.Writer.TryWrite((peer, datagram.ToArray()));
        return ValueTask.CompletedTask;
    }

    public void Deliver(IPEndPoint peer, byte[] datagram, IReadOnlyList<byte[]>? chain = null) =>
        (_receiver ?? throw new InvalidOperationException("not started"))(new ReceivedDatagram(peer, datagram, chain));

    public async Task<(IPEndPoint Peer, byte[] Data)> NextSentAsync(TimeSpan? timeout = null)
    {
        using var cancellation = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(5));
        return await _sent.Reader.ReadAsync(cancellation.Token);
    }

    /// <summary>True when nothing is sent within <paramref name="wait"/>.</summary>
    public async Task<bool> NothingSentWithinAsync(TimeSpan wait)
    {
        using var cancellation = new CancellationTokenSource(wait);
        try
        {
            await _sent.Reader.WaitToReadAsync(cancellation.Token);
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
