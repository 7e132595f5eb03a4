using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AmiPki.Bench.NativeTls;

/// <summary>
/// One blocking HTTP/1.1-over-TLS connection of the load generator: a TCP socket, a full TLS handshake that checks the
/// server's chain against the trusted root and its IP address against the certificate, then requests whose answers are
/// read whole (status line, headers, Content-Length body).
/// </summary>
internal sealed unsafe class TlsHttpConnection : IDisposable
{
    private const int MaxResponse = 1 << 20;

    private readonly Socket _socket;
    private readonly nint _ssl;
    private byte[] _buffer = new byte[16 * 1024];

    private TlsHttpConnection(Socket socket, nint ssl)
    {
        _socket = socket;
        _ssl = ssl;
    }

    /// <summary>True when the handshake resumed a session (never, with <see cref="TlsClientContext"/>'s settings).</summary>
    public bool Resumed => LibSsl.SSL_session_reused(_ssl) == 1;

    public static TlsHttpConnection Open(TlsClientContext context, IPEndPoint server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        nint ssl = 0;
        try
        {
            socket.Connect(server);
            ssl = LibSsl.SSL_new(context.Handle);
            if (ssl == 0 || LibSsl.SSL_set_fd(ssl, (int)socket.Handle) != 1
                || LibSsl.X509_VERIFY_PARAM_set1_ip_asc(LibSsl.SSL_get0_param(ssl), server.Address.ToString()) != 1)
            {
                throw new IOException(LibSsl.LastError("SSL set-up"));
            }

            if (LibSsl.SSL_connect(ssl) != 1)
            {
                throw new IOException(LibSsl.LastError("TLS handshake"));
            }

            return new TlsHttpConnection(socket, ssl);
        }
        catch
        {
            if (ssl != 0)
            {
                LibSsl.SSL_free(ssl);
            }

            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends one request (head and body in one TLS write) and reads the whole answer.</summary>
    public (int Status, ReadOnlyMemory<byte> Body) Send(ReadOnlySpan<byte> head, ReadOnlySpan<byte> body)
    {
        var request = new byte[head.Length + body.Length];
        head.CopyTo(request);
        body.CopyTo(request.AsSpan(head.Length));
        fixed (byte* pointer = request)
        {
            if (LibSsl.SSL_write(_ssl, pointer, request.Length) != request.Length)
            {
                throw new IOException(LibSsl.LastError("TLS write"));
            }
        }

        return ReadResponse();
    }

    public void Dispose()
    {
        // No close_notify wait: the server closes after "Connection: close", and a keep-alive run just ends.
        LibSsl.SSL_free(_ssl);
        _socket.Dispose();
    }

    private (int Status, ReadOnlyMemory<byte> Body) ReadResponse()
    {
        int filled = 0;
        int headerEnd = -1;
        int contentLength = -1;
        int status = 0;
        while (true)
        {
            if (headerEnd < 0)
            {
                headerEnd = _buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8);
                if (headerEnd >= 0)
                {
                    (status, contentLength) = ParseHead(Encoding.ASCII.GetString(_buffer, 0, headerEnd));
                    headerEnd += 4;
                }
            }

            if (headerEnd >= 0 && filled - headerEnd >= contentLength)
            {
                return (status, _buffer.AsMemory(headerEnd, contentLength));
            }

            if (filled == _buffer.Length)
            {
                if (_buffer.Length >= MaxResponse)
                {
                    throw new IOException("response larger than 1 MiB");
                }

                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            int read;
            fixed (byte* pointer = &_buffer[filled])
            {
                read = LibSsl.SSL_read(_ssl, pointer, _buffer.Length - filled);
            }

            if (read <= 0)
            {
                throw new IOException(LibSsl.SSL_get_error(_ssl, read) == LibSsl.ErrorZeroReturn
                    ? "server closed the connection before the whole answer"
                    : LibSsl.LastError("TLS read"));
            }

            filled += read;
        }
    }

    private static (int Status, int ContentLength) ParseHead(string head)
    {
        var lines = head.Split("\r\n");
        var statusParts = lines[0].Split(' ', 3);
        if (statusParts.Length < 2 || !statusParts[0].StartsWith("HTTP/1.", StringComparison.Ordinal)
            || !int.TryParse(statusParts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status))
        {
            throw new IOException("not an HTTP/1.x status line: " + lines[0]);
        }

        foreach (var line in lines.AsSpan(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line.AsSpan(0, colon).Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                && int.TryParse(line.AsSpan(colon + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var length) && length <= MaxResponse)
            {
                return (status, length);
            }
        }

        throw new IOException("answer without a usable Content-Length: " + lines[0]);
    }
}
