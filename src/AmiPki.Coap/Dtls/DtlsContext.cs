namespace AmiPki.Coap.Dtls;

/// <summary>An SSL_CTX configured for DTLS 1.2 as RFC 7925 profiles it, server or client side.</summary>
internal sealed unsafe class DtlsContext : IDisposable
{
    private nint _handle;

    private DtlsContext(nint handle)
    {
        _handle = handle;
    }

    public nint Handle => _handle != 0 ? _handle : throw new ObjectDisposedException(nameof(DtlsContext));

    public static DtlsContext CreateServer(DtlsCredentials credentials, string cipherList)
    {
        var context = Create(OpenSslNative.DTLS_server_method(), cipherList, DtlsServerOptions.DefaultGroups, signatureAlgorithms: null);
        try
        {
            nint handle = context.Handle;
            // Cookies (RFC 6347 §4.2.1); MTU set by us, not queried from a socket we do not give OpenSSL;
            // our cipher order, so CCM_8 wins over a client that lists GCM first (RFC 7925 §4.3).
            OpenSslNative.SSL_CTX_set_options(handle,
                OpenSslNative.SslOpCookieExchange | OpenSslNative.SslOpNoQueryMtu | OpenSslNative.SslOpCipherServerPreference);
            OpenSslNative.SSL_CTX_set_cookie_generate_cb(handle, DtlsCallbackScope.GenerateCookiePointer);
            OpenSslNative.SSL_CTX_set_cookie_verify_cb(handle, DtlsCallbackScope.VerifyCookiePointer);
            context.UseCredentials(credentials);

            // A client certificate is required and its chain judged by the caller's check alone.
            OpenSslNative.SSL_CTX_set_verify(handle, OpenSslNative.SslVerifyPeer | OpenSslNative.SslVerifyFailIfNoPeerCert, 0);
            OpenSslNative.SSL_CTX_set_cert_verify_callback(handle, DtlsCallbackScope.VerifyCertificatePointer, 0);
            return context;
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    public static DtlsContext CreateClient(DtlsCredentials? credentials, string cipherList, string groups = DtlsServerOptions.DefaultGroups,
        string? signatureAlgorithms = null, IReadOnlyList<byte[]>? trustedRoots = null)
    {
        var context = Create(OpenSslNative.DTLS_client_method(), cipherList, groups, signatureAlgorithms);
        try
        {
            OpenSslNative.SSL_CTX_set_options(context.Handle, OpenSslNative.SslOpNoQueryMtu);
            if (credentials is not null)
            {
                context.UseCredentials(credentials);
            }

            // With trusted roots, OpenSSL's own path validation (RFC 5280 §6) runs first, inside the callback.
            bool verifyPath = trustedRoots is { Count: > 0 };
            if (verifyPath)
            {
                context.Trust(trustedRoots!);
            }

            OpenSslNative.SSL_CTX_set_verify(context.Handle, OpenSslNative.SslVerifyPeer, 0);
            OpenSslNative.SSL_CTX_set_cert_verify_callback(context.Handle, DtlsCallbackScope.VerifyCertificatePointer,
                verifyPath ? DtlsCallbackScope.VerifyPathFirst : 0);
            return context;
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (_handle != 0)
        {
            OpenSslNative.SSL_CTX_free(_handle);
            _handle = 0;
        }
    }

    private static DtlsContext Create(nint method, string cipherList, string groups, string? signatureAlgorithms)
    {
        OpenSslNative.ERR_clear_error();
        nint handle = OpenSslNative.SSL_CTX_new(method);
        if (handle == 0)
        {
            throw new DtlsException($"SSL_CTX_new failed: {OpenSslNative.TakeErrors()}");
        }

        var context = new DtlsContext(handle);
        try
        {
            // DTLS 1.2 only (RFC 7925 §4); no session tickets or renegotiation; no session cache, so every
            // handshake presents and verifies a certificate.
            OpenSslNative.SSL_CTX_ctrl(handle, OpenSslNative.SslCtrlSetMinProtoVersion, OpenSslNative.Dtls12Version, 0);
            OpenSslNative.SSL_CTX_ctrl(handle, OpenSslNative.SslCtrlSetMaxProtoVersion, OpenSslNative.Dtls12Version, 0);
            OpenSslNative.SSL_CTX_set_options(handle, OpenSslNative.SslOpNoTicket | OpenSslNative.SslOpNoRenegotiation);

            // The chain sent is the one configured (the server's intermediates; a meter's IDevID alone): without this
            // flag OpenSSL 3.0 tries to build a chain from the certificate store on every handshake.
            OpenSslNative.SSL_CTX_ctrl(handle, OpenSslNative.SslCtrlMode, (nint)OpenSslNative.SslModeNoAutoChain, 0);
            OpenSslNative.SSL_CTX_ctrl(handle, SslCtrlSetSessionCacheMode, 0, 0);
            if (OpenSslNative.SSL_CTX_set_cipher_list(handle, cipherList) != 1)
            {
                throw new DtlsException($"cipher list '{cipherList}' rejected: {OpenSslNative.TakeErrors()}");
            }

            SetList(handle, OpenSslNative.SslCtrlSetGroupsList, groups, "groups");
            if (signatureAlgorithms is not null)
            {
                SetList(handle, OpenSslNative.SslCtrlSetSigalgsList, signatureAlgorithms, "signature algorithms");
            }

            return context;
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    private const int SslCtrlSetSessionCacheMode = 44;

    private static void SetList(nint handle, int command, string list, string what)
    {
        fixed (byte* text = System.Text.Encoding.ASCII.GetBytes(list + "\0"))
        {
            if (OpenSslNative.SSL_CTX_ctrl(handle, command, 0, (nint)text) != 1)
            {
                throw new DtlsException($"{what} '{list}' rejected: {OpenSslNative.TakeErrors()}");
            }
        }
    }

    private void Trust(IReadOnlyList<byte[]> roots)
    {
        nint store = OpenSslNative.SSL_CTX_get_cert_store(Handle);
        foreach (byte[] der in roots)
        {
            nint root = OpenSslNative.X509FromDer(der);
            try
            {
                // The store takes its own reference.
                if (OpenSslNative.X509_STORE_add_cert(store, root) != 1)
                {
                    throw new DtlsException($"trusted root rejected: {OpenSslNative.TakeErrors()}");
                }
            }
            finally
            {
                OpenSslNative.X509_free(root);
            }
        }
    }

    private void UseCredentials(DtlsCredentials credentials)
    {
        nint handle = Handle;
        nint leaf = OpenSslNative.X509FromDer(credentials.CertificateChain[0]);
        try
        {
            if (OpenSslNative.SSL_CTX_use_certificate(handle, leaf) != 1)
            {
                throw new DtlsException($"certificate rejected: {OpenSslNative.TakeErrors()}");
            }
        }
        finally
        {
            OpenSslNative.X509_free(leaf);
        }

        foreach (byte[] der in credentials.CertificateChain.Skip(1))
        {
            nint intermediate = OpenSslNative.X509FromDer(der);
            try
            {
                // SSL_CTX_add1_chain_cert takes its own reference.
                if (OpenSslNative.SSL_CTX_ctrl(handle, OpenSslNative.SslCtrlChainCert, 1, intermediate) != 1)
                {
                    throw new DtlsException($"chain certificate rejected: {OpenSslNative.TakeErrors()}");
                }
            }
            finally
            {
                OpenSslNative.X509_free(intermediate);
            }
        }

        nint key = OpenSslNative.PrivateKeyFromDer(credentials.PrivateKey);
        try
        {
            if (OpenSslNative.SSL_CTX_use_PrivateKey(handle, key) != 1 || OpenSslNative.SSL_CTX_check_private_key(handle) != 1)
            {
                throw new DtlsException($"private key rejected or not matching the certificate: {OpenSslNative.TakeErrors()}");
            }
        }
        finally
        {
            OpenSslNative.EVP_PKEY_free(key);
        }
    }
}
