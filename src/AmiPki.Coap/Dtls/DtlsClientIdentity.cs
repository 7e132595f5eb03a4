namespace AmiPki.Coap.Dtls;

/// <summary>
/// A device's certificate and private key parsed once into OpenSSL objects, to be lent to any number of handshakes:
/// a meter loads its IDevID at boot and keeps it, it does not parse it again for every session. Under OpenSSL 3.0 the
/// certificate parse alone (its public key goes through the decoder framework) costs about as much as the client's
/// share of a handshake's signatures. Each <see cref="DtlsClient"/> takes its own references, so this may be disposed
/// while sessions using it are still open.
/// </summary>
public sealed class DtlsClientIdentity : IDisposable
{
    private nint _certificate;
    private nint _privateKey;

    /// <summary>Parses <paramref name="credentials"/> (the leaf only: a meter's IDevID stands alone) and checks that key and certificate match.</summary>
    public DtlsClientIdentity(DtlsCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        OpenSslNative.ERR_clear_error();
        _certificate = OpenSslNative.X509FromDer(credentials.CertificateChain[0]);
        try
        {
            _privateKey = OpenSslNative.PrivateKeyFromDer(credentials.PrivateKey);
            if (OpenSslNative.X509_check_private_key(_certificate, _privateKey) != 1)
            {
                throw new DtlsException($"the private key does not match the certificate: {OpenSslNative.TakeErrors()}");
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Sets certificate and key on one SSL object, which takes references of its own (SSL_use_certificate / SSL_use_PrivateKey).</summary>
    internal void ApplyTo(nint ssl)
    {
        ObjectDisposedException.ThrowIf(_certificate == 0, this);

        // The pair was checked when parsed: no SSL_check_private_key per session.
        if (OpenSslNative.SSL_use_certificate(ssl, _certificate) != 1 || OpenSslNative.SSL_use_PrivateKey(ssl, _privateKey) != 1)
        {
            throw new DtlsException($"client certificate or key rejected: {OpenSslNative.TakeErrors()}");
        }
    }

    public void Dispose()
    {
        if (_certificate != 0)
        {
            OpenSslNative.X509_free(_certificate);
            _certificate = 0;
        }

        if (_privateKey != 0)
        {
            OpenSslNative.EVP_PKEY_free(_privateKey);
            _privateKey = 0;
        }
    }
}
