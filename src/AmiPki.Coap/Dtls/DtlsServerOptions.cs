namespace AmiPki.Coap.Dtls;

public sealed class DtlsServerOptions
{
    /// <summary>RFC 7925 §4.3's mandatory CCM_8 suite first, then AES-128-GCM; enforced in this order.</summary>
    public const string DefaultCipherList = "ECDHE-ECDSA-AES128-CCM8:ECDHE-ECDSA-AES128-GCM-SHA256";

    /// <summary>secp256r1 first (RFC 7925 §4.4.2), then what general-purpose clients prefer.</summary>
    public const string DefaultGroups = "P-256:X25519:P-384";

    /// <summary>The server's certificate chain and key.</summary>
    public required DtlsCredentials Credentials { get; init; }

    /// <summary>
    /// Judges the client's certificate chain (DER, leaf first) during the handshake: true admits it. A client
    /// certificate is always required; OpenSSL's own chain verification is replaced by this check, and the
    /// handshake proves possession of the leaf's private key.
    /// </summary>
    public required Func<IReadOnlyList<byte[]>, bool> ClientCertificateValidator { get; init; }

    public string CipherList { get; init; } = DefaultCipherList;

    /// <summary>Largest datagram sent; 1280 fits the IPv6 minimum link MTU, as constrained networks need.</summary>
    public int Mtu { get; init; } = 1280;

    /// <summary>An established session silent for this long is closed and forgotten.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A handshake not finished within this time is abandoned.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Sessions (in handshake or established) held at once; beyond it new peers are not admitted.</summary>
    public int MaxSessions { get; init; } = 10_000;

    /// <summary>How often the cookie secret rotates (the previous one stays valid for one more period).</summary>
    public TimeSpan CookieSecretLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Threads doing DTLS work (handshakes, decryption); a peer always lands on the same one, keeping its
    /// datagrams in order. With one, the receive thread does the work itself: no copy of the datagram and no
    /// hand-over to another thread (a wake-up each) — the cheapest per datagram, on a single core.
    /// By default the receive thread plus one worker per further core.
    /// </summary>
    public int WorkerCount { get; init; } = DefaultWorkerCount;

    /// <summary>One worker per core beyond the one the receive thread keeps busy; on one or two cores, the receive thread alone.</summary>
    public static int DefaultWorkerCount => Math.Max(1, Environment.ProcessorCount - 1);

    /// <summary>
    /// SO_RCVBUF of the server's UDP socket. Linux charges each queued datagram its whole buffer (about 2 KiB even for
    /// a small one), so the default ~208 KiB holds only ~100 datagrams: a burst of handshake flights from a few hundred
    /// meters overflows it, and every drop costs a DTLS retransmission timeout (RFC 6347 §4.2.4, 1 s and up). The
    /// kernel caps the value at net.core.rmem_max.
    /// </summary>
    public int SocketReceiveBufferSize { get; init; } = 8 * 1024 * 1024;

    /// <summary>How often timers (handshake retransmission, idle) are checked.</summary>
    public TimeSpan TimerResolution { get; init; } = TimeSpan.FromMilliseconds(100);
}
