using System.Net;

namespace AmiPki.Coap.Dtls;

/// <summary>
/// The listener SSL object that meets unknown peers (RFC 6347 §4.2.1): DTLSv1_listen answers a ClientHello
/// without a valid cookie with a HelloVerifyRequest and keeps nothing. When a ClientHello brings a valid
/// cookie, this SSL object (which has read that ClientHello) becomes the peer's session and a fresh one takes
/// its place: freeing it and starting a new SSL object instead would stall the handshake on sequence numbers.
/// Used by one thread at a time.
/// </summary>
internal sealed unsafe class DtlsListener : IDisposable
{
    private readonly DtlsContext _context;
    private readonly int _mtu;
    private readonly nint _clientAddress;
    private (nint Ssl, nint ReadBio, nint WriteBio) _current;

    public DtlsListener(DtlsContext context, int mtu)
    {
        _context = context;
        _mtu = mtu;
        _clientAddress = OpenSslNative.BIO_ADDR_new();
        _current = Create();
    }

    /// <summary>
    /// Offers one ClientHello datagram. Returns the SSL object (with its BIOs) that now carries the peer's
    /// handshake when the cookie was valid, else null; <paramref name="outgoing"/> gets any HelloVerifyRequest.
    /// The caller owns a returned SSL object (it may free it to refuse the peer).
    /// </summary>
    public (nint Ssl, nint ReadBio, nint WriteBio)? Offer(IPEndPoint peer, ReadOnlySpan<byte> clientHello, DtlsCookieFactory cookies, List<byte[]> outgoing)
    {
        int result;
        using (new DtlsCallbackScope(peer, cookies, certificateCheck: null))
        {
            OpenSslNative.ERR_clear_error();

            // One datagram at a time, and nothing left over from a malformed predecessor.
            OpenSslNative.BIO_ctrl(_current.ReadBio, OpenSslNative.BioCtrlReset, 0, 0);
            fixed (byte* data = clientHello)
            {
                OpenSslNative.BIO_write(_current.ReadBio, data, clientHello.Length);
            }

            // With a memory BIO, DTLSv1_listen leaves the address cleared: the caller knows the peer.
            result = OpenSslNative.DTLSv1_listen(_current.Ssl, _clientAddress);
            DrainWriteBio(outgoing);
        }

        if (result != 1)
        {
            OpenSslNative.ERR_clear_error();
            return null;
        }

        var accepted = _current;
        _current = Create();
        return accepted;
    }

    public void Dispose()
    {
        OpenSslNative.SSL_free(_current.Ssl);
        OpenSslNative.BIO_ADDR_free(_clientAddress);
    }

    private (nint Ssl, nint ReadBio, nint WriteBio) Create()
    {
        var listener = DtlsSession.CreateSsl(_context);
        DtlsSession.SetLinkMtu(listener.Ssl, _mtu);
        OpenSslNative.SSL_set_accept_state(listener.Ssl);
        return listener;
    }

    private void DrainWriteBio(List<byte[]> outgoing)
    {
        int pending = (int)OpenSslNative.BIO_ctrl_pending(_current.WriteBio);
        if (pending <= 0)
        {
            return;
        }

        byte[] stream = new byte[pending];
        int read;
        fixed (byte* data = stream)
        {
            read = OpenSslNative.BIO_read(_current.WriteBio, data, pending);
        }

        if (read > 0)
        {
            DtlsRecordPacker.Pack(stream.AsSpan(0, read), _mtu, outgoing);
        }
    }
}
