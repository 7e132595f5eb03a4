using System.Runtime.InteropServices;

namespace AmiPki.Coap.Dtls;

/// <summary>
/// The small part of OpenSSL 3.0 (libssl.so.3 / libcrypto.so.3) that DTLS over memory BIOs needs.
/// Macros of ssl.h are spelled out as the SSL_ctrl / SSL_CTX_ctrl commands they expand to.
/// </summary>
internal static unsafe partial class OpenSslNative
{
    private const string Ssl = "libssl.so.3";
    private const string Crypto = "libcrypto.so.3";

    // ssl.h option bits (OpenSSL 3.0, uint64_t).
    public const ulong SslOpNoQueryMtu = 1UL << 12;
    public const ulong SslOpCookieExchange = 1UL << 13;
    public const ulong SslOpNoTicket = 1UL << 14;
    public const ulong SslOpCipherServerPreference = 1UL << 22;
    public const ulong SslOpNoRenegotiation = 1UL << 30;

    /// <summary>SSL_MODE_NO_AUTO_CHAIN: send the configured chain as it is, never build one from the store per handshake.</summary>
    public const long SslModeNoAutoChain = 0x8;

    // ssl.h verify modes.
    public const int SslVerifyNone = 0;
    public const int SslVerifyPeer = 1;
    public const int SslVerifyFailIfNoPeerCert = 2;

    // SSL_get_error results.
    public const int SslErrorNone = 0;
    public const int SslErrorSsl = 1;
    public const int SslErrorWantRead = 2;
    public const int SslErrorWantWrite = 3;
    public const int SslErrorSyscall = 5;
    public const int SslErrorZeroReturn = 6;

    // SSL_ctrl / SSL_CTX_ctrl commands behind the ssl.h macros.
    public const int SslCtrlMode = 33;                 // SSL_CTX_set_mode
    public const int SslCtrlChainCert = 89;            // SSL_CTX_add1_chain_cert
    public const int SslCtrlSetGroupsList = 92;        // SSL_CTX_set1_groups_list
    public const int SslCtrlSetSigalgsList = 98;       // SSL_CTX_set1_sigalgs_list
    public const int SslCtrlSetMinProtoVersion = 123;  // SSL_CTX_set_min_proto_version
    public const int SslCtrlSetMaxProtoVersion = 124;  // SSL_CTX_set_max_proto_version
    public const int DtlsCtrlGetTimeout = 73;          // DTLSv1_get_timeout
    public const int DtlsCtrlHandleTimeout = 74;       // DTLSv1_handle_timeout
    public const int DtlsCtrlSetLinkMtu = 120;         // DTLS_set_link_mtu
    public const int BioCtrlReset = 1;                 // BIO_reset
    public const int Dtls12Version = 0xFEFD;

    /// <summary>X509_V_ERR_APPLICATION_VERIFICATION: the application refused the chain.</summary>
    public const int X509VErrApplicationVerification = 50;

    [StructLayout(LayoutKind.Sequential)]
    public struct TimeVal
    {
        public nint Seconds;
        public nint Microseconds;
    }

    [LibraryImport(Ssl)]
    public static partial nint DTLS_server_method();

    [LibraryImport(Ssl)]
    public static partial nint DTLS_client_method();

    [LibraryImport(Ssl)]
    public static partial nint SSL_CTX_new(nint method);

    [LibraryImport(Ssl)]
    public static partial void SSL_CTX_free(nint context);

    [LibraryImport(Ssl)]
    public static partial ulong SSL_CTX_set_options(nint context, ulong options);

    [LibraryImport(Ssl)]
    public static partial nint SSL_CTX_ctrl(nint context, int command, nint larg, nint parg);

    [LibraryImport(Ssl, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SSL_CTX_set_cipher_list(nint context, string ciphers);

    [LibraryImport(Ssl)]
    public static partial int SSL_CTX_use_certificate(nint context, nint x509);

    [LibraryImport(Ssl)]
    public static partial int SSL_CTX_use_PrivateKey(nint context, nint key);

    [LibraryImport(Ssl)]
    public static partial int SSL_check_private_key(nint ssl);

    [LibraryImport(Ssl)]
    public static partial int SSL_CTX_check_private_key(nint context);

    [LibraryImport(Ssl)]
    public static partial void SSL_CTX_set_verify(nint context, int mode, nint callback);

    [LibraryImport(Ssl)]
    public static partial void SSL_CTX_set_cert_verify_callback(nint context, delegate* unmanaged[Cdecl]<nint, nint, int> callback, nint arg);

    [LibraryImport(Ssl)]
    public static partial void SSL_CTX_set_cookie_generate_cb(nint context, delegate* unmanaged[Cdecl]<nint, byte*, uint*, int> callback);

    [LibraryImport(Ssl)]
    public static partial void SSL_CTX_set_cookie_verify_cb(nint context, delegate* unmanaged[Cdecl]<nint, byte*, uint, int> callback);

    [LibraryImport(Ssl)]
    public static partial nint SSL_new(nint context);

    [LibraryImport(Ssl)]
    public static partial void SSL_free(nint ssl);

    [LibraryImport(Ssl)]
    public static partial ulong SSL_set_options(nint ssl, ulong options);

    [LibraryImport(Ssl)]
    public static partial void SSL_set_bio(nint ssl, nint readBio, nint writeBio);

    [LibraryImport(Ssl)]
    public static partial void SSL_set_accept_state(nint ssl);

    [LibraryImport(Ssl)]
    public static partial void SSL_set_connect_state(nint ssl);

    [LibraryImport(Ssl)]
    public static partial int SSL_do_handshake(nint ssl);

    [LibraryImport(Ssl)]
    public static partial int SSL_is_init_finished(nint ssl);

    [LibraryImport(Ssl)]
    public static partial int SSL_read(nint ssl, byte* buffer, int length);

    [LibraryImport(Ssl)]
    public static partial int SSL_write(nint ssl, byte* buffer, int length);

    [LibraryImport(Ssl)]
    public static partial int SSL_get_error(nint ssl, int result);

    [LibraryImport(Ssl)]
    public static partial int SSL_shutdown(nint ssl);

    [LibraryImport(Ssl)]
    public static partial nint SSL_ctrl(nint ssl, int command, nint larg, nint parg);

    [LibraryImport(Ssl)]
    public static partial int DTLSv1_listen(nint ssl, nint clientAddress);

    [LibraryImport(Ssl)]
    public static partial nint SSL_get1_peer_certificate(nint ssl);

    [LibraryImport(Ssl)]
    public static partial nint SSL_get_peer_cert_chain(nint ssl);

    [LibraryImport(Ssl)]
    public static partial nint SSL_get_current_cipher(nint ssl);

    [LibraryImport(Ssl)]
    public static partial nint SSL_CIPHER_get_name(nint cipher);

    [LibraryImport(Ssl)]
    public static partial int SSL_use_certificate(nint ssl, nint x509);

    [LibraryImport(Ssl)]
    public static partial int SSL_use_PrivateKey(nint ssl, nint key);

    [LibraryImport(Crypto)]
    public static partial nint BIO_s_mem();

    [LibraryImport(Crypto)]
    public static partial nint BIO_new(nint method);

    [LibraryImport(Crypto)]
    public static partial int BIO_free(nint bio);

    [LibraryImport(Crypto)]
    public static partial int BIO_read(nint bio, byte* buffer, int length);

    [LibraryImport(Crypto)]
    public static partial int BIO_write(nint bio, byte* buffer, int length);

    [LibraryImport(Crypto)]
    public static partial nuint BIO_ctrl_pending(nint bio);

    [LibraryImport(Crypto)]
    public static partial nint BIO_ctrl(nint bio, int command, nint larg, nint parg);

    [LibraryImport(Crypto)]
    public static partial nint BIO_ADDR_new();

    [LibraryImport(Crypto)]
    public static partial void BIO_ADDR_free(nint address);

    [LibraryImport(Crypto)]
    public static partial nint d2i_X509(nint reuse, byte** input, nint length);

    [LibraryImport(Crypto)]
    public static partial int i2d_X509(nint x509, byte** output);

    [LibraryImport(Crypto)]
    public static partial void X509_free(nint x509);

    [LibraryImport(Crypto)]
    public static partial int X509_check_private_key(nint x509, nint key);

    [LibraryImport(Crypto)]
    public static partial nint d2i_AutoPrivateKey(nint reuse, byte** input, nint length);

    [LibraryImport(Crypto)]
    public static partial void EVP_PKEY_free(nint key);

    // Legacy EC key functions (deprecated in 3.0, still exported): they parse without the decoder framework.
    [LibraryImport(Crypto, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int OBJ_txt2nid(string oid);

    [LibraryImport(Crypto)]
    public static partial nint EC_KEY_new_by_curve_name(int nid);

    [LibraryImport(Crypto)]
    public static partial nint d2i_ECPrivateKey(nint* reuse, byte** input, nint length);

    [LibraryImport(Crypto)]
    public static partial void EC_KEY_free(nint key);

    [LibraryImport(Crypto)]
    public static partial nint EVP_PKEY_new();

    [LibraryImport(Crypto)]
    public static partial int EVP_PKEY_assign(nint key, int type, nint inner);

    /// <summary>EVP_PKEY_EC (NID_X9_62_id_ecPublicKey), for EVP_PKEY_assign.</summary>
    public const int EvpPkeyEc = 408;

    [LibraryImport(Crypto)]
    public static partial int OPENSSL_sk_num(nint stack);

    [LibraryImport(Crypto)]
    public static partial nint OPENSSL_sk_value(nint stack, int index);

    [LibraryImport(Crypto)]
    public static partial nint X509_STORE_CTX_get0_untrusted(nint storeContext);

    [LibraryImport(Crypto)]
    public static partial nint X509_STORE_CTX_get0_cert(nint storeContext);

    [LibraryImport(Crypto)]
    public static partial void X509_STORE_CTX_set_error(nint storeContext, int error);

    [LibraryImport(Crypto)]
    public static partial int X509_STORE_CTX_get_error(nint storeContext);

    [LibraryImport(Crypto)]
    public static partial nint X509_verify_cert_error_string(nint error);

    [LibraryImport(Crypto)]
    public static partial int X509_verify_cert(nint storeContext);

    [LibraryImport(Crypto)]
    public static partial int X509_STORE_add_cert(nint store, nint x509);

    [LibraryImport(Ssl)]
    public static partial nint SSL_CTX_get_cert_store(nint context);

    [LibraryImport(Crypto)]
    public static partial ulong ERR_get_error();

    [LibraryImport(Crypto)]
    public static partial void ERR_clear_error();

    [LibraryImport(Crypto)]
    public static partial void ERR_error_string_n(ulong error, byte* buffer, nuint length);

    /// <summary>Drains OpenSSL's thread-local error queue into one message.</summary>
    public static string TakeErrors()
    {
        var messages = new List<string>();
        var buffer = stackalloc byte[256];
        ulong error;
        while ((error = ERR_get_error()) != 0)
        {
            ERR_error_string_n(error, buffer, 256);
            messages.Add(Marshal.PtrToStringUTF8((nint)buffer) ?? error.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return messages.Count == 0 ? "no OpenSSL error queued" : string.Join("; ", messages);
    }

    public static byte[] X509ToDer(nint x509)
    {
        int length = i2d_X509(x509, null);
        if (length <= 0)
        {
            throw new DtlsException($"i2d_X509 failed: {TakeErrors()}");
        }

        var der = new byte[length];
        fixed (byte* start = der)
        {
            byte* cursor = start;
            i2d_X509(x509, &cursor);
        }

        return der;
    }

    /// <summary>Parses a DER certificate into an X509* the caller frees.</summary>
    public static nint X509FromDer(ReadOnlySpan<byte> der)
    {
        fixed (byte* start = der)
        {
            byte* cursor = start;
            nint x509 = d2i_X509(0, &cursor, der.Length);
            return x509 != 0 ? x509 : throw new DtlsException($"not a DER certificate: {TakeErrors()}");
        }
    }

    /// <summary>Parses a DER private key (PKCS#8 or traditional EC/RSA) into an EVP_PKEY* the caller frees.</summary>
    public static nint PrivateKeyFromDer(ReadOnlySpan<byte> der)
    {
        // EC keys (every meter's) take the direct route: d2i_AutoPrivateKey goes through OpenSSL 3.0's decoder
        // framework, about 0.4 ms of CPU per key on this kind of machine against some 0.015 ms.
        if (EcPrivateKeyDecoder.TryDecode(der) is { } ecKey and not 0)
        {
            return ecKey;
        }

        ERR_clear_error();
        fixed (byte* start = der)
        {
            byte* cursor = start;
            nint key = d2i_AutoPrivateKey(0, &cursor, der.Length);
            return key != 0 ? key : throw new DtlsException($"not a DER private key: {TakeErrors()}");
        }
    }

    public static nint NewMemoryBio()
    {
        nint bio = BIO_new(BIO_s_mem());
        return bio != 0 ? bio : throw new DtlsException("BIO_new failed");
    }
}
