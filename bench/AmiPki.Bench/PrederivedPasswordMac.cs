using System.Security.Cryptography;
using AmiPki.Protocols.Cmp;

namespace AmiPki.Bench;

/// <summary>
/// A load generator's PasswordBasedMac (RFC 4210 §5.1.3.1: SHA-256 one-way function, HMAC-SHA1) with a salt fixed per
/// worker, so BASEKEY = SHA-256^iterations(secret || salt) is derived once before the timed window and each request
/// costs one HMAC. The server cannot tell: it derives the key from the message's parameters every time.
/// </summary>
public sealed class PrederivedPasswordMac : IPasswordMac
{
    private readonly byte[] _key;
    private readonly byte[] _algorithmIdentifier;

    public PrederivedPasswordMac(byte[] secret, int iterations)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        _algorithmIdentifier = PasswordBasedMac.Create(salt, iterations, HashAlgorithmName.SHA256, HashAlgorithmName.SHA1).EncodeAlgorithmIdentifier();
        using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        digest.AppendData(secret);
        digest.AppendData(salt);
        _key = digest.GetHashAndReset();
        for (var i = 1; i < iterations; i++)
        {
            digest.AppendData(_key);
            _key = digest.GetHashAndReset();
        }
    }

    /// <summary>HMAC-SHA1 under the key derived from the secret given at construction (<paramref name="secret"/> is that one).</summary>
    public byte[] Compute(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> data) => HMACSHA1.HashData(_key, data);

    /// <summary>The same salt: that is the point of deriving once.</summary>
    public IPasswordMac WithFreshSalt() => this;

    public byte[] EncodeAlgorithmIdentifier() => _algorithmIdentifier;
}
