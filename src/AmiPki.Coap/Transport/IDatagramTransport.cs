using System.Net;

namespace AmiPki.Coap.Transport;

/// <summary>
/// What the CoAP message layer needs from below: send a datagram to a peer, and be called back for each
/// datagram received. Plain UDP and DTLS (where a "datagram" is one decrypted record) both fit.
/// </summary>
public interface IDatagramTransport : IAsyncDisposable
{
    /// <summary>The bound local address (useful when port 0 was asked for).</summary>
    IPEndPoint LocalEndPoint { get; }

    /// <summary>
    /// Starts receiving. The callback runs on the transport's receive loop: it must return quickly and
    /// must not throw (the transport swallows what it throws).
    /// </summary>
    void Start(Action<ReceivedDatagram> onDatagram);

    /// <summary>Sends one datagram. Unknown or vanished peers are not an error: the datagram is dropped.</summary>
    ValueTask SendAsync(IPEndPoint peer, ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken);
}
