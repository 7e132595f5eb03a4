using System.Net;
using System.Security.Cryptography;

namespace AmiPki.Coap.Dtls;

/// <summary>
/// Stateless HelloVerifyRequest cookies (RFC 6347 §4.2.1): HMAC-SHA256 of the peer address and port
/// under a secret that rotates; the previous secret stays valid for one more period so a handshake
/// straddling a rotation still succeeds. Nothing is stored per peer, so a spoofed ClientHello costs no memory.
/// </summary>
internal sealed class DtlsCookieFactory
{
    public const int CookieLength = 32;

    private readonly TimeProvider _time;
    private readonly TimeSpan _rotation;
    private readonly object _gate = new();
    private byte[] _current = RandomNumberGenerator.GetBytes(32);
    private byte[] _previous = RandomNumberGenerator.GetBytes(32);
    private DateTimeOffset _rotatedAt;

    public DtlsCookieFactory(TimeProvider time, TimeSpan rotation)
    {
        _time = time;
        _rotation = rotation;
        _rotatedAt = time.GetUtcNow();
    }

    public void Generate(IPEndPoint peer, Span<byte> cookie)
    {
        byte[] secret;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (now - _rotatedAt >= _rotation)
            {
                _previous = _current;
                _current = RandomNumberGenerator.GetBytes(32);
                _rotatedAt = now;
            }

            secret = _current;
        }

        Compute(secret, peer, cookie);
    }

    public bool Verify(IPEndPoint peer, ReadOnlySpan<byte> cookie)
    {
        if (cookie.Length != CookieLength)
        {
            return false;
        }

        byte[] current, previous;
        lock (_gate)
        {
            current = _current;
            previous = _previous;
        }

        Span<byte> expected = stackalloc byte[CookieLength];
        Compute(current, peer, expected);
        if (CryptographicOperations.FixedTimeEquals(expected, cookie))
        {
            return true;
        }

        Compute(previous, peer, expected);
        return CryptographicOperations.FixedTimeEquals(expected, cookie);
    }

    private static void Compute(byte[] secret, IPEndPoint peer, Span<byte> cookie)
    {
        Span<byte> address = stackalloc byte[18];
        peer.Address.TryWriteBytes(address, out int written);
        address[written] = (byte)(peer.Port >> 8);
        address[written + 1] = (byte)peer.Port;
        HMACSHA256.HashData(secret, address[..(written + 2)], cookie);
    }
}
