using System.Buffers;
using System.Net;
using System.Runtime.InteropServices;

namespace AmiPki.Coap.Dtls;

/// <summary>
/// One DTLS association: an SSL object between a memory read BIO (datagrams in, one at a time) and a
/// memory write BIO (records out, re-packed into datagrams). Not thread-safe: callers hold <see cref="Gate"/>.
/// </summary>
internal sealed unsafe class DtlsSession : IDisposable
{
    /// <summary>The largest DTLS plaintext record (RFC 6347 §4.1: 2^14).</summary>
    private const int MaxPlaintext = 16 * 1024;

    private readonly int _mtu;
    private nint _ssl;
    private readonly nint _writeBio;
    private readonly nint _readBio;

    /// <summary>Wraps an SSL object that already has its two memory BIOs (the server's listener hand-over).</summary>
    public DtlsSession(nint ssl, nint readBio, nint writeBio, IPEndPoint peer, int mtu, DateTimeOffset now)
    {
        _ssl = ssl;
        _readBio = readBio;
        _writeBio = writeBio;
        _mtu = mtu;
        Peer = peer;
        Created = now;
        LastActivity = now;
        SetLinkMtu(ssl, mtu);
    }

    public object Gate { get; } = new();

    public IPEndPoint Peer { get; }

    public DateTimeOffset Created { get; }

    public DateTimeOffset LastActivity { get; set; }

    public bool IsEstablished { get; private set; }

    /// <summary>Set when the association is over: fatal alert, close_notify, handshake failure or disposal.</summary>
    public bool IsClosed { get; private set; }

    public string? FailureReason { get; private set; }

    /// <summary>The peer's certificate chain, DER, leaf first, once the handshake is done.</summary>
    public IReadOnlyList<byte[]>? PeerCertificateChain { get; private set; }

    public string? CipherName { get; private set; }

    /// <summary>Creates a fresh SSL object with memory BIOs from a context (client side, or a server listener).</summary>
    public static (nint Ssl, nint ReadBio, nint WriteBio) CreateSsl(DtlsContext context)
    {
        nint ssl = OpenSslNative.SSL_new(context.Handle);
        if (ssl == 0)
        {
            throw new DtlsException($"SSL_new failed: {OpenSslNative.TakeErrors()}");
        }

        nint readBio = OpenSslNative.NewMemoryBio();
        nint writeBio = OpenSslNative.NewMemoryBio();
        OpenSslNative.SSL_set_bio(ssl, readBio, writeBio); // the SSL object now owns both BIOs
        return (ssl, readBio, writeBio);
    }

    public static void SetLinkMtu(nint ssl, int mtu)
    {
        // Without SSL_OP_NO_QUERY_MTU + DTLS_set_link_mtu OpenSSL falls back to its small minimum MTU.
        OpenSslNative.SSL_set_options(ssl, OpenSslNative.SslOpNoQueryMtu);
        OpenSslNative.SSL_ctrl(ssl, OpenSslNative.DtlsCtrlSetLinkMtu, mtu, 0);
    }

    /// <summary>Drives the handshake without new input (first flight of a client, continuation after DTLSv1_listen).</summary>
    public void Advance(List<byte[]> outgoing)
    {
        if (IsClosed)
        {
            return;
        }

        OpenSslNative.ERR_clear_error();
        if (!IsEstablished)
        {
            StepHandshake();
        }

        Drain(outgoing);
    }

    /// <summary>Takes one received datagram; returns decrypted application datagrams in <paramref name="applicationData"/>.</summary>
    public void Receive(ReadOnlySpan<byte> datagram, List<byte[]> applicationData, List<byte[]> outgoing)
    {
        if (IsClosed)
        {
            return;
        }

        OpenSslNative.ERR_clear_error();

        // Anything a previous malformed datagram left behind must not merge with this one.
        OpenSslNative.BIO_ctrl(_readBio, OpenSslNative.BioCtrlReset, 0, 0);
        fixed (byte* data = datagram)
        {
            OpenSslNative.BIO_write(_readBio, data, datagram.Length);
        }

        if (!IsEstablished)
        {
            StepHandshake();
        }

        if (IsEstablished && !IsClosed)
        {
            ReadApplicationData(applicationData);
        }

        Drain(outgoing);
    }

    public bool Write(ReadOnlySpan<byte> plaintext, List<byte[]> outgoing)
    {
        if (!IsEstablished || IsClosed)
        {
            return false;
        }

        OpenSslNative.ERR_clear_error();
        int written;
        fixed (byte* data = plaintext)
        {
            written = OpenSslNative.SSL_write(_ssl, data, plaintext.Length);
        }

        if (written <= 0)
        {
            Fail($"SSL_write: {OpenSslNative.TakeErrors()}");
        }

        Drain(outgoing);
        return written > 0;
    }

    /// <summary>Retransmits the last flight when OpenSSL's timer has expired (RFC 6347 §4.2.4).</summary>
    public void HandleRetransmissionTimer(List<byte[]> outgoing)
    {
        if (IsClosed || IsEstablished)
        {
            return;
        }

        OpenSslNative.ERR_clear_error();
        if ((int)OpenSslNative.SSL_ctrl(_ssl, OpenSslNative.DtlsCtrlHandleTimeout, 0, 0) < 0)
        {
            Fail($"handshake retransmissions exhausted: {OpenSslNative.TakeErrors()}");
        }

        Drain(outgoing);
    }

    /// <summary>Time until OpenSSL wants <see cref="HandleRetransmissionTimer"/>, or null when no timer runs.</summary>
    public TimeSpan? RetransmissionDue()
    {
        if (IsClosed || IsEstablished)
        {
            return null;
        }

        OpenSslNative.TimeVal timeout;
        if (OpenSslNative.SSL_ctrl(_ssl, OpenSslNative.DtlsCtrlGetTimeout, 0, (nint)(&timeout)) != 1)
        {
            return null;
        }

        return TimeSpan.FromSeconds(timeout.Seconds) + TimeSpan.FromMicroseconds(timeout.Microseconds);
    }

    /// <summary>Sends close_notify (RFC 5246 §7.2.1) and marks the session closed.</summary>
    public void Close(List<byte[]> outgoing)
    {
        if (IsClosed)
        {
            return;
        }

        if (IsEstablished)
        {
            OpenSslNative.ERR_clear_error();
            OpenSslNative.SSL_shutdown(_ssl);
            Drain(outgoing);
        }

        IsClosed = true;
        FailureReason ??= "closed locally";
    }

    public void Dispose()
    {
        IsClosed = true;
        if (_ssl != 0)
        {
            OpenSslNative.SSL_free(_ssl); // frees both BIOs too
            _ssl = 0;
        }
    }

    private void StepHandshake()
    {
        int result = OpenSslNative.SSL_do_handshake(_ssl);
        if (result == 1)
        {
            IsEstablished = true;
            PeerCertificateChain = ReadPeerChain();
            nint cipher = OpenSslNative.SSL_get_current_cipher(_ssl);
            CipherName = cipher == 0 ? null : Marshal.PtrToStringUTF8(OpenSslNative.SSL_CIPHER_get_name(cipher));
            return;
        }

        int error = OpenSslNative.SSL_get_error(_ssl, result);
        if (error is not (OpenSslNative.SslErrorWantRead or OpenSslNative.SslErrorWantWrite))
        {
            Fail($"handshake failed ({error}): {OpenSslNative.TakeErrors()}");
        }
    }

    private void ReadApplicationData(List<byte[]> applicationData)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(MaxPlaintext);
        try
        {
            ReadRecords(buffer, applicationData);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void ReadRecords(byte[] buffer, List<byte[]> applicationData)
    {
        while (true)
        {
            int read;
            fixed (byte* data = buffer)
            {
                read = OpenSslNative.SSL_read(_ssl, data, buffer.Length);
            }

            if (read > 0)
            {
                // One DTLS record carries one datagram of the layer above (RFC 6347 §4.1.1).
                applicationData.Add(buffer.AsSpan(0, read).ToArray());
                continue;
            }

            int error = OpenSslNative.SSL_get_error(_ssl, read);
            if (error == OpenSslNative.SslErrorZeroReturn)
            {
                IsClosed = true;
                FailureReason = "peer sent close_notify";
            }
            else if (error is not (OpenSslNative.SslErrorWantRead or OpenSslNative.SslErrorWantWrite))
            {
                Fail($"SSL_read ({error}): {OpenSslNative.TakeErrors()}");
            }

            return;
        }
    }

    private List<byte[]> ReadPeerChain()
    {
        var chain = new List<byte[]>();
        nint leaf = OpenSslNative.SSL_get1_peer_certificate(_ssl);
        if (leaf != 0)
        {
            try
            {
                chain.Add(OpenSslNative.X509ToDer(leaf));
            }
            finally
            {
                OpenSslNative.X509_free(leaf);
            }
        }

        // On the server side this stack lacks the leaf; on the client side it starts with it.
        nint stack = OpenSslNative.SSL_get_peer_cert_chain(_ssl);
        int count = stack == 0 ? 0 : OpenSslNative.OPENSSL_sk_num(stack);
        for (int i = 0; i < count; i++)
        {
            byte[] der = OpenSslNative.X509ToDer(OpenSslNative.OPENSSL_sk_value(stack, i));
            if (!chain.Any(known => known.AsSpan().SequenceEqual(der)))
            {
                chain.Add(der);
            }
        }

        return chain;
    }

    private void Drain(List<byte[]> outgoing)
    {
        if (_ssl == 0)
        {
            return;
        }

        int pending = (int)OpenSslNative.BIO_ctrl_pending(_writeBio);
        if (pending <= 0)
        {
            return;
        }

        byte[] stream = new byte[pending];
        int read;
        fixed (byte* data = stream)
        {
            read = OpenSslNative.BIO_read(_writeBio, data, pending);
        }

        if (read > 0)
        {
            DtlsRecordPacker.Pack(stream.AsSpan(0, read), _mtu, outgoing);
        }
    }

    private void Fail(string reason)
    {
        IsClosed = true;
        FailureReason ??= reason;
    }
}
