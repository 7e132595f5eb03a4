namespace AmiPki.Coap.Dtls;

public sealed class DtlsClientOptions
{
    /// <summary>The client's certificate chain and key; null for a client without one (it will be refused by our server).</summary>
    public DtlsCredentials? Credentials { get; init; }

    /// <summary>
    /// Root certificates (DER) the server's chain must verify to, by OpenSSL's own path validation (RFC 5280 §6) inside the
    /// handshake, before <see cref="ServerCertificateValidator"/> sees the chain; null or empty leaves the judgement to it alone.
    /// </summary>
    public IReadOnlyList<byte[]>? TrustedRoots { get; init; }

    /// <summary>Judges the server's certificate chain (DER, leaf first): true accepts it.</summary>
    public required Func<IReadOnlyList<byte[]>, bool> ServerCertificateValidator { get; init; }

    public string CipherList { get; init; } = DtlsServerOptions.DefaultCipherList;

    public int Mtu { get; init; } = 1280;

    /// <summary>Supported groups offered, OpenSSL list syntax (RFC 7925 §4.4.2: secp256r1 is mandatory, so first).</summary>
    public string Groups { get; init; } = DtlsServerOptions.DefaultGroups;

    /// <summary>
    /// Signature algorithms offered, OpenSSL list syntax ("ECDSA+SHA256" for a device that, as RFC 7925 §4.4.2 requires,
    /// knows ecdsa_secp256r1_sha256 only); null offers OpenSSL's default set.
    /// </summary>
    public string? SignatureAlgorithms { get; init; }

    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
