using System.Net;

namespace AmiPki.Coap.BlockWise;

/// <summary>
/// Identifies one block-wise transfer: the peer plus the request's method, path and query. Tokens are
/// not part of it, because clients may change the token between blocks (RFC 7959 §2.4).
/// </summary>
public readonly record struct BlockTransferKey(IPEndPoint Peer, string Request);
