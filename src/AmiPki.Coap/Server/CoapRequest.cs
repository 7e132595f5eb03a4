using System.Net;
using AmiPki.Coap.Messages;

namespace AmiPki.Coap.Server;

/// <summary>
/// A request as a resource handler sees it: the whole body (Block1 already reassembled), the path and
/// query decoded, and who sent it.
/// </summary>
public sealed class CoapRequest
{
    public CoapRequest(CoapMessage message, IPEndPoint peer, ReadOnlyMemory<byte> body, IReadOnlyList<byte[]>? peerCertificateChain)
    {
        Message = message;
        Peer = peer;
        Payload = body;
        PeerCertificateChain = peerCertificateChain;
        Path = message.GetUriPath();
        Queries = message.GetUriQueries();
        ContentFormat = (int?)message.FindOption(CoapOptionNumber.ContentFormat)?.GetUInt();
        Accept = (int?)message.FindOption(CoapOptionNumber.Accept)?.GetUInt();
    }

    /// <summary>The (last) message of the request; for a Block1 transfer, the one carrying the final block.</summary>
    public CoapMessage Message { get; }

    public byte Method => Message.Code;

    public IPEndPoint Peer { get; }

    /// <summary>The peer's certificate chain as DER, leaf first, when the request came over DTLS; null over plain UDP.</summary>
    public IReadOnlyList<byte[]>? PeerCertificateChain { get; }

    /// <summary>Uri-Path segments joined by '/', starting with '/'.</summary>
    public string Path { get; }

    public IReadOnlyList<string> Queries { get; }

    public int? ContentFormat { get; }

    public int? Accept { get; }

    /// <summary>The whole request body.</summary>
    public ReadOnlyMemory<byte> Payload { get; }
}
