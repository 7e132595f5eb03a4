using System.Runtime.InteropServices;

namespace AmiPki.Bench.NativeTls;

/// <summary>
/// The part of OpenSSL 3.0's libssl a blocking TLS client needs: the load generator's side of the EST benchmark, so
/// that what the benchmark's client spends per handshake is OpenSSL's own work (as in a C load generator such as
/// h2load), not .NET's SslStream and HttpClient layers, which cost more than the server they measure.
/// </summary>
internal static unsafe partial class LibSsl
{
    private const string Ssl = "libssl.so.3";
    private const string Crypto = "libcrypto.so.3";

    public const int FileTypePem = 1;          // SSL_FILETYPE_PEM
    public const int VerifyPeer = 1;           // SSL_VERIFY_PEER
    public const ulong OpNoTicket = 1UL << 14; // SSL_OP_NO_TICKET
    public const int CtrlSetSessCacheMode = 44; // SSL_CTX_set_session_cache_mode
    public const int CtrlSetMinProtoVersion = 123;
    public const int Tls13Version = 0x0304;
    public const int ErrorZeroReturn = 6;      // SSL_ERROR_ZERO_RETURN

    [LibraryImport(Ssl)]
    public static partial nint TLS_client_method();

    [LibraryImport(Ssl)]
    public static partial nint SSL_CTX_new(nint method);

    [LibraryImport(Ssl)]
    public static partial void SSL_CTX_free(nint context);

    [LibraryImport(Ssl)]
    public static partial long SSL_CTX_ctrl(nint context, int command, long larg, nint parg);

    [LibraryImport(Ssl)]
    public static partial ulong SSL_CTX_set_options(nint context, ulong options);

    [LibraryImport(Ssl, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SSL_CTX_use_certificate_chain_file(nint context, string file);

    [LibraryImport(Ssl, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SSL_CTX_use_PrivateKey_file(nint context, string file, int type);

    [LibraryImport(Ssl, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SSL_CTX_load_verify_locations(nint context, string caFile, string? caPath);

    [LibraryImport(Ssl)]
    public static partial void SSL_CTX_set_verify(nint context, int mode, nint callback);

    [LibraryImport(Ssl)]
    public static partial nint SSL_new(nint context);

    [LibraryImport(Ssl)]
    public static partial void SSL_free(nint ssl);

    [LibraryImport(Ssl)]
    public static partial int SSL_set_fd(nint ssl, int fd);

    [LibraryImport(Ssl)]
    public static partial nint SSL_get0_param(nint ssl);

    [LibraryImport(Ssl)]
    public static partial int SSL_connect(nint ssl);

    [LibraryImport(Ssl)]
    public static partial int SSL_write(nint ssl, byte* buffer, int count);

    [LibraryImport(Ssl)]
    public static partial int SSL_read(nint ssl, byte* buffer, int count);

    [LibraryImport(Ssl)]
    public static partial int SSL_get_error(nint ssl, int result);

    [LibraryImport(Ssl)]
    public static partial int SSL_session_reused(nint ssl);

    [LibraryImport(Crypto, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int X509_VERIFY_PARAM_set1_ip_asc(nint parameters, string address);

    [LibraryImport(Crypto)]
    public static partial ulong ERR_get_error();

    [LibraryImport(Crypto)]
    public static partial void ERR_error_string_n(ulong error, byte* buffer, nuint length);

    [LibraryImport(Crypto)]
    public static partial void ERR_clear_error();

    /// <summary>OpenSSL's first queued error as text (and the queue cleared), for a failure message.</summary>
    public static string LastError(string what)
    {
        var code = ERR_get_error();
        ERR_clear_error();
        if (code == 0)
        {
            return what;
        }

        var buffer = stackalloc byte[256];
        ERR_error_string_n(code, buffer, 256);
        return what + ": " + Marshal.PtrToStringUTF8((nint)buffer);
    }
}
