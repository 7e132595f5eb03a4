namespace AmiPki.Coap.Dtls;

public sealed class DtlsClientOptions
{
    /// <summary>The client's certificate chain and key; null for a client without one (it will be refused by our server).</summary>
    public DtlsCredentials? Credentials { get; init; }

    /// <summary>Judges the server's certificate chain (DER, leaf first): true accepts it.</summary>
    public required Func<IReadOnlyList<byte[]>, bool> ServerCertificateValidator { get; init; }

    public string CipherList { get; init; } = DtlsServerOptions.DefaultCipherList;

    public int Mtu { get; init; } = 1280;

    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
