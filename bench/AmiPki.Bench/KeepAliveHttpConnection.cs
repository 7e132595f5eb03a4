using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AmiPki.Bench;

/// <summary>
/// One HTTP/1.1 keep-alive connection of a load generator, lighter than HttpClient: each call sends a complete POST
/// (request line, Host, Content-Type, Content-Length, body) in one write and reads one complete response. The answer
/// counts only if it is <c>200</c> with the expected Content-Type and a Content-Length body read to the last byte;
/// anything else (another status, chunked or close-delimited bodies, trailing bytes) fails the call and the
/// connection is reopened on the next one.
/// </summary>
public sealed class KeepAliveHttpConnection : IDisposable
{
    private readonly IPEndPoint _endpoint;
    private readonly byte[] _head;
    private readonly byte[] _contentType;
    private byte[] _send = new byte[8 * 1024];
    private byte[] _receive = new byte[16 * 1024];
    private Socket? _socket;
    private int _opened;

    /// <param name="contentType">Sent with each request and required of each response (parameters after ';' ignored).</param>
    public KeepAliveHttpConnection(IPEndPoint endpoint, string path, string contentType)
    {
        _endpoint = endpoint;
        _head = Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\nHost: {endpoint}\r\nContent-Type: {contentType}\r\nContent-Length: ");
        _contentType = Encoding.ASCII.GetBytes(contentType);
    }

    /// <summary>Connections opened after the first (the server closed one, or an exchange failed).</summary>
    public int Reconnects { get; private set; }

    /// <summary>The body of a 200 answer of the expected type, or null (the connection is then dropped).</summary>
    public async Task<byte[]?> PostAsync(ReadOnlyMemory<byte> body)
    {
        try
        {
            if (_socket is null)
            {
                _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await _socket.ConnectAsync(_endpoint);
                Reconnects += _opened++ > 0 ? 1 : 0;
            }
            await _socket.SendAsync(Compose(body.Span), SocketFlags.None);
            var answer = await ReceiveAsync(_socket);
            if (answer is null)
            {
                Drop();
            }
            return answer;
        }
        catch (SocketException)
        {
            Drop();
            return null;
        }
    }

    public void Dispose() => Drop();

    private ReadOnlyMemory<byte> Compose(ReadOnlySpan<byte> body)
    {
        var length = _head.Length + 16 + body.Length;
        if (_send.Length < length)
        {
            _send = new byte[length * 2];
        }
        _head.CopyTo(_send, 0);
        var at = _head.Length;
        Utf8Formatter.TryFormat(body.Length, _send.AsSpan(at), out var written);
        at += written;
        "\r\n\r\n"u8.CopyTo(_send.AsSpan(at));
        at += 4;
        body.CopyTo(_send.AsSpan(at));
        return _send.AsMemory(0, at + body.Length);
    }

    private async Task<byte[]?> ReceiveAsync(Socket socket)
    {
        var filled = 0;
        int headEnd;
        while ((headEnd = _receive.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (filled == _receive.Length)
            {
                return null;
            }
            var read = await socket.ReceiveAsync(_receive.AsMemory(filled), SocketFlags.None);
            if (read == 0)
            {
                return null;
            }
            filled += read;
        }
        if (!TryReadHead(_receive.AsSpan(0, headEnd), out var length, out var keepAlive))
        {
            return null;
        }
        var bodyStart = headEnd + 4;
        if (_receive.Length < bodyStart + length)
        {
            Array.Resize(ref _receive, bodyStart + length);
        }
        while (filled < bodyStart + length)
        {
            var read = await socket.ReceiveAsync(_receive.AsMemory(filled), SocketFlags.None);
            if (read == 0)
            {
                return null;
            }
            filled += read;
        }
        if (filled != bodyStart + length)
        {
            // More than one response to one request: the stream is out of step.
            return null;
        }
        var answer = _receive.AsSpan(bodyStart, length).ToArray();
        if (!keepAlive)
        {
            Drop();
        }
        return answer;
    }

    /// <summary>Status 200, the expected Content-Type, a Content-Length, no Transfer-Encoding (RFC 9112 §6).</summary>
    private bool TryReadHead(ReadOnlySpan<byte> head, out int length, out bool keepAlive)
    {
        length = -1;
        keepAlive = true;
        var lineEnd = head.IndexOf("\r\n"u8);
        var statusLine = lineEnd < 0 ? head : head[..lineEnd];
        if (!statusLine.StartsWith("HTTP/1.1 200 "u8) && !statusLine.SequenceEqual("HTTP/1.1 200"u8))
        {
            return false;
        }
        var typeOk = false;
        var rest = lineEnd < 0 ? [] : head[(lineEnd + 2)..];
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf("\r\n"u8);
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                return false;
            }
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim((byte)' ');
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (!Utf8Parser.TryParse(value, out length, out var consumed) || consumed != value.Length || length < 0)
                {
                    return false;
                }
            }
            else if (Ascii.EqualsIgnoreCase(name, "Content-Type"u8))
            {
                var semicolon = value.IndexOf((byte)';');
                typeOk = Ascii.EqualsIgnoreCase((semicolon < 0 ? value : value[..semicolon]).Trim((byte)' '), _contentType);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                return false;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8) && Ascii.EqualsIgnoreCase(value, "close"u8))
            {
                keepAlive = false;
            }
        }
        return typeOk && length >= 0;
    }

    private void Drop()
    {
        _socket?.Dispose();
        _socket = null;
    }
}
