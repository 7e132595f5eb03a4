namespace AmiPki.Bench.NativeTls;

/// <summary>
/// One TLS 1.3 client configuration, made once for all connections: the client certificate and key (PEM files), the
/// one root the server must chain to, peer verification on. No session tickets and no session cache, so every
/// connection is a full handshake.
/// </summary>
internal sealed class TlsClientContext : IDisposable
{
    private const int SessionCacheOff = 0;

    public TlsClientContext(string certificatePemFile, string privateKeyPemFile, string trustedRootPemFile)
    {
        Handle = LibSsl.SSL_CTX_new(LibSsl.TLS_client_method());
        if (Handle == 0)
        {
            throw new InvalidOperationException(LibSsl.LastError("SSL_CTX_new"));
        }

        try
        {
            Require(LibSsl.SSL_CTX_ctrl(Handle, LibSsl.CtrlSetMinProtoVersion, LibSsl.Tls13Version, 0) == 1, "TLS 1.3 minimum");
            LibSsl.SSL_CTX_set_options(Handle, LibSsl.OpNoTicket);
            LibSsl.SSL_CTX_ctrl(Handle, LibSsl.CtrlSetSessCacheMode, SessionCacheOff, 0);
            Require(LibSsl.SSL_CTX_use_certificate_chain_file(Handle, certificatePemFile) == 1, "client certificate");
            Require(LibSsl.SSL_CTX_use_PrivateKey_file(Handle, privateKeyPemFile, LibSsl.FileTypePem) == 1, "client key");
            Require(LibSsl.SSL_CTX_load_verify_locations(Handle, trustedRootPemFile, null) == 1, "trusted root");
            LibSsl.SSL_CTX_set_verify(Handle, LibSsl.VerifyPeer, 0);
        }
        catch
        {
            LibSsl.SSL_CTX_free(Handle);
            throw;
        }
    }

    public nint Handle { get; }

    public void Dispose() => LibSsl.SSL_CTX_free(Handle);

    private static void Require(bool ok, string what)
    {
        if (!ok)
        {
            throw new InvalidOperationException(LibSsl.LastError(what));
        }
    }
}
