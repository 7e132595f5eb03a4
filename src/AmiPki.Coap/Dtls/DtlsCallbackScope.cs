using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AmiPki.Coap.Dtls;

/// <summary>
/// OpenSSL's cookie and certificate callbacks receive no peer address with memory BIOs, and no managed
/// state. Whoever calls into an SSL object first opens a scope on that thread naming the peer, the cookie
/// factory and the certificate check; the callbacks read it from a thread-static field.
/// </summary>
internal sealed unsafe class DtlsCallbackScope : IDisposable
{
    [ThreadStatic]
    private static DtlsCallbackScope? _current;

    private readonly DtlsCallbackScope? _outer;

    public DtlsCallbackScope(IPEndPoint peer, DtlsCookieFactory? cookies, Func<IReadOnlyList<byte[]>, bool>? certificateCheck)
    {
        Peer = peer;
        Cookies = cookies;
        CertificateCheck = certificateCheck;
        _outer = _current;
        _current = this;
    }

    public IPEndPoint Peer { get; }

    public DtlsCookieFactory? Cookies { get; }

    public Func<IReadOnlyList<byte[]>, bool>? CertificateCheck { get; }

    /// <summary>Why the certificate check refused, for diagnostics.</summary>
    public string? RefusalReason { get; private set; }

    public void Dispose() => _current = _outer;

    public static delegate* unmanaged[Cdecl]<nint, byte*, uint*, int> GenerateCookiePointer => &GenerateCookie;

    public static delegate* unmanaged[Cdecl]<nint, byte*, uint, int> VerifyCookiePointer => &VerifyCookie;

    public static delegate* unmanaged[Cdecl]<nint, nint, int> VerifyCertificatePointer => &VerifyCertificate;

    /// <summary>The callback argument asking for OpenSSL's path validation against the context's store before the caller's check.</summary>
    public const nint VerifyPathFirst = 1;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int GenerateCookie(nint ssl, byte* cookie, uint* cookieLength)
    {
        try
        {
            if (_current is not { Cookies: { } cookies } scope)
            {
                return 0;
            }

            // OpenSSL's buffer is DTLS1_COOKIE_LENGTH (255) bytes: ours is 32.
            cookies.Generate(scope.Peer, new Span<byte>(cookie, DtlsCookieFactory.CookieLength));
            *cookieLength = DtlsCookieFactory.CookieLength;
            return 1;
        }
#pragma warning disable CA1031 // An exception must never unwind through OpenSSL's C frames.
        catch (Exception)
#pragma warning restore CA1031
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int VerifyCookie(nint ssl, byte* cookie, uint cookieLength)
    {
        try
        {
            return _current is { Cookies: { } cookies } scope
                && cookies.Verify(scope.Peer, new ReadOnlySpan<byte>(cookie, (int)cookieLength)) ? 1 : 0;
        }
#pragma warning disable CA1031 // An exception must never unwind through OpenSSL's C frames.
        catch (Exception)
#pragma warning restore CA1031
        {
            return 0;
        }
    }

    /// <summary>
    /// Replaces OpenSSL's chain verification (SSL_CTX_set_cert_verify_callback): the chain the peer sent,
    /// leaf first, goes to the caller's check, which alone decides. Refusal fails the handshake with an alert.
    /// </summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int VerifyCertificate(nint storeContext, nint argument)
    {
        var scope = _current;
        try
        {
            if (scope?.CertificateCheck is not { } check)
            {
                return 0;
            }

            if (argument == VerifyPathFirst && OpenSslNative.X509_verify_cert(storeContext) != 1)
            {
                // The store context carries OpenSSL's reason and the handshake ends with the matching alert.
                int error = OpenSslNative.X509_STORE_CTX_get_error(storeContext);
                scope.RefusalReason = $"the peer's chain does not verify to a trusted root: {Marshal.PtrToStringUTF8(OpenSslNative.X509_verify_cert_error_string(error))}";
                return 0;
            }

            var chain = ReadChain(storeContext);
            try
            {
                if (chain.Count > 0 && check(chain))
                {
                    return 1;
                }
            }
            finally
            {
                chain.Detach();
            }

            scope.RefusalReason = "the certificate check refused the peer's chain";
        }
#pragma warning disable CA1031 // An exception must never unwind through OpenSSL's C frames.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            if (scope is not null)
            {
                scope.RefusalReason = $"the certificate check threw: {exception.Message}";
            }
        }

        OpenSslNative.X509_STORE_CTX_set_error(storeContext, OpenSslNative.X509VErrApplicationVerification);
        return 0;
    }

    private static DtlsPeerChain ReadChain(nint storeContext)
    {
        var chain = new List<byte[]>();
        nint leaf = OpenSslNative.X509_STORE_CTX_get0_cert(storeContext);
        if (leaf != 0)
        {
            chain.Add(OpenSslNative.X509ToDer(leaf));
        }

        nint untrusted = OpenSslNative.X509_STORE_CTX_get0_untrusted(storeContext);
        int count = untrusted == 0 ? 0 : OpenSslNative.OPENSSL_sk_num(untrusted);
        for (int i = 0; i < count; i++)
        {
            byte[] der = OpenSslNative.X509ToDer(OpenSslNative.OPENSSL_sk_value(untrusted, i));
            if (!chain.Any(known => known.AsSpan().SequenceEqual(der)))
            {
                chain.Add(der);
            }
        }

        return new DtlsPeerChain(chain, leaf);
    }
}
