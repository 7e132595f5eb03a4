namespace AmiPki.Coap.Dtls;

/// <summary>
/// Client configuration compiled once into an OpenSSL SSL_CTX, to be shared by many <see cref="DtlsClient"/>s:
/// building a context per connection roughly halves handshake throughput (certificate and key parsing,
/// cipher list compilation). Dispose it after the clients using it.
/// </summary>
public sealed class DtlsClientContext : IDisposable
{
    public DtlsClientContext(DtlsClientOptions options)
    {
        Options = options;
        Native = DtlsContext.CreateClient(options.Credentials, options.CipherList, options.Groups, options.SignatureAlgorithms, options.TrustedRoots);
    }

    public DtlsClientOptions Options { get; }

    internal DtlsContext Native { get; }

    public void Dispose() => Native.Dispose();
}
