using System.Net;

namespace AmiPki.Coap.Transport;

/// <summary>
/// One datagram as delivered by a transport. <paramref name="PeerCertificateChain"/> is the peer's
/// authenticated certificate chain (leaf first, DER) over DTLS, null over plain UDP.
/// </summary>
public sealed record ReceivedDatagram(IPEndPoint Peer, ReadOnlyMemory<byte> Data, IReadOnlyList<byte[]>? PeerCertificateChain);
