using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using AmiPki.Core.Credentials;

namespace AmiPki.Protocols.Est;

/// <summary>
/// Remembers, for a short time, that a (name, secret) pair matched a stored PBKDF2 hash. PBKDF2 is slow on purpose
/// (an attacker with the database must pay it per guess); an account enrolling many devices should not pay it per
/// request. Only a keyed hash of the pair is kept, never the secret, and a changed stored hash misses the cache.
/// </summary>
internal sealed class BasicSecretCache
{
    private const int MaxEntries = 10_000;

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _verified = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly TimeSpan _lifetime;

    public BasicSecretCache(TimeProvider time, TimeSpan lifetime)
    {
        _time = time;
        _lifetime = lifetime;
    }

    public bool Verify(string name, string secret, string storedHash)
    {
        var key = Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{name}\0{secret}\0{storedHash}")));
        var now = _time.GetUtcNow();
        if (_verified.TryGetValue(key, out var until) && until > now)
        {
            return true;
        }
        if (!SecretHasher.Verify(secret, storedHash))
        {
            return false;
        }
        if (_lifetime > TimeSpan.Zero)
        {
            if (_verified.Count >= MaxEntries)
            {
                _verified.Clear();
            }
            _verified[key] = now + _lifetime;
        }
        return true;
    }
}
