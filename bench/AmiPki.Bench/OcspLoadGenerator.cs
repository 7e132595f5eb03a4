using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AmiPki.Bench;

/// <summary>
/// A lean HTTP/1.1 keep-alive load generator for OCSP responders: <c>concurrency</c> connections, each sending one
/// pre-serialised POST after another and reading the response (Content-Length or close-delimited). The same code
/// drives AmiPki and <c>openssl ocsp -index</c>, so the figures compare the servers, not the clients. A connection the
/// server closes is reopened (counted). Each answer is checked to be HTTP 200 with a successful OCSPResponse.
/// </summary>
public static class OcspLoadGenerator
{
    public sealed record Result(string Target, int Concurrency, long Requests, long Failures, long Reconnects, double Seconds, double P50Milliseconds,
        double P99Milliseconds)
    {
        public double PerSecond => Requests / Seconds;
    }

    /// <summary>The bytes of a POST /path with an application/ocsp-request body.</summary>
    public static byte[] Post(string host, int port, string path, byte[] body)
    {
        var head = Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/ocsp-request\r\n" +
                                           $"Content-Length: {body.Length}\r\nConnection: keep-alive\r\n\r\n");
        return [.. head, .. body];
    }

    public static async Task<Result> RunAsync(string target, IPEndPoint endpoint, IReadOnlyList<byte[]> requests, int concurrency, TimeSpan duration)
    {
        var latencies = new List<double>[concurrency];
        var failures = 0L;
        var reconnects = 0L;
        var stopwatch = Stopwatch.StartNew();
        var deadline = duration.TotalSeconds;
        var workers = Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var mine = latencies[worker] = new List<double>(1 << 16);
            var buffer = new byte[64 * 1024];
            Socket? socket = null;
            var next = worker;
            try
            {
                while (stopwatch.Elapsed.TotalSeconds < deadline)
                {
                    if (socket is null)
                    {
                        socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                        await socket.ConnectAsync(endpoint);
                    }
                    var request = requests[next++ % requests.Count];
                    var started = Stopwatch.GetTimestamp();
                    var (ok, keepOpen) = await ExchangeAsync(socket, request, buffer);
                    var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    if (ok)
                    {
                        mine.Add(elapsed);
                    }
                    else
                    {
                        Interlocked.Increment(ref failures);
                    }
                    if (!keepOpen)
                    {
                        socket.Dispose();
                        socket = null;
                        Interlocked.Increment(ref reconnects);
                    }
                }
            }
            catch (SocketException)
            {
                Interlocked.Increment(ref failures);
            }
            finally
            {
                socket?.Dispose();
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var seconds = stopwatch.Elapsed.TotalSeconds;
        var all = latencies.Where(l => l is not null).SelectMany(l => l).ToArray();
        Array.Sort(all);
        return new Result(target, concurrency, all.Length, failures, reconnects, seconds, Percentile(all, 0.50), Percentile(all, 0.99));
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    /// <summary>Sends one request and reads one response; (answer ok, connection still usable).</summary>
    private static async Task<(bool Ok, bool KeepOpen)> ExchangeAsync(Socket socket, byte[] request, byte[] buffer)
    {
        try
        {
            await socket.SendAsync(request, SocketFlags.None);
            var filled = 0;
            var headerEnd = -1;
            while (headerEnd < 0)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None);
                if (read == 0)
                {
                    return (false, false);
                }
                filled += read;
                headerEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8);
            }
            var head = Encoding.ASCII.GetString(buffer, 0, headerEnd);
            var ok = head.StartsWith("HTTP/1.1 200", StringComparison.Ordinal) || head.StartsWith("HTTP/1.0 200", StringComparison.Ordinal);
            var close = head.Contains("Connection: close", StringComparison.OrdinalIgnoreCase) || head.StartsWith("HTTP/1.0", StringComparison.Ordinal)
                && !head.Contains("Connection: keep-alive", StringComparison.OrdinalIgnoreCase);
            var lengthAt = head.IndexOf("Content-Length:", StringComparison.OrdinalIgnoreCase);
            var bodyStart = headerEnd + 4;
            if (lengthAt < 0)
            {
                // Close-delimited body.
                while (true)
                {
                    var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None);
                    if (read == 0 || filled + read >= buffer.Length)
                    {
                        break;
                    }
                    filled += read;
                }
                return (ok && IsSuccessful(buffer.AsSpan(bodyStart, filled - bodyStart)), false);
            }
            var lineEnd = head.IndexOf('\r', lengthAt);
            var length = int.Parse(head.AsSpan(lengthAt + 15, (lineEnd < 0 ? head.Length : lineEnd) - lengthAt - 15).Trim(),
                System.Globalization.CultureInfo.InvariantCulture);
            while (filled - bodyStart < length)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None);
                if (read == 0)
                {
                    return (false, false);
                }
                filled += read;
            }
            return (ok && IsSuccessful(buffer.AsSpan(bodyStart, length)), !close);
        }
        catch (SocketException)
        {
            return (false, false);
        }
    }

    /// <summary>OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED successful(0), ... }.</summary>
    private static bool IsSuccessful(ReadOnlySpan<byte> body)
    {
        if (body.Length < 5 || body[0] != 0x30)
        {
            return false;
        }
        var offset = body[1] < 0x80 ? 2 : 2 + (body[1] & 0x7F);
        return body.Length > offset + 2 && body[offset] == 0x0A && body[offset + 1] == 0x01 && body[offset + 2] == 0x00;
    }
}
