using System.Security.Cryptography;
using System.Text;
using AmiPki.Protocols.Cmp;
using NUnit.Framework;

namespace AmiPki.Protocols.Tests.Cmp;

/// <summary>PasswordBasedMac (RFC 4210 §5.1.3.1) and PBMAC1 (RFC 9481 §6.1.2): known answers, round trips and bounds.</summary>
public sealed class PasswordMacTests
{
    [TestCase("SHA1")]
    [TestCase("SHA256")]
    [TestCase("SHA384")]
    [TestCase("SHA512")]
    public void PBM_matches_the_RFC_4210_construction(string owf)
    {
        var hash = new HashAlgorithmName(owf);
        var salt = Encoding.ASCII.GetBytes("saltsalt");
        var secret = Encoding.ASCII.GetBytes("secret");
        var data = Encoding.ASCII.GetBytes("data");
        var mac = PasswordBasedMac.Create(salt, 100, hash, HashAlgorithmName.SHA1);
        // BASEKEY = OWF^100(secret || salt); MAC = HMAC-SHA1(BASEKEY, data).
        using var digest = IncrementalHash.CreateHash(hash);
        digest.AppendData([.. secret, .. salt]);
        var key = digest.GetHashAndReset();
        for (var i = 1; i < 100; i++)
        {
            digest.AppendData(key);
            key = digest.GetHashAndReset();
        }
        Assert.That(mac.Compute(secret, data), Is.EqualTo(HMACSHA1.HashData(key, data)));
    }

    /// <summary>
    /// The native loop pads the one-block message once and runs one compression per iteration: checked against .NET at
    /// the edges (one iteration, two) and with a secret and salt longer than a hash block, and longer than the stack
    /// buffer of the first iteration.
    /// </summary>
    [TestCase("SHA1", 1)]
    [TestCase("SHA256", 1)]
    [TestCase("SHA256", 2)]
    [TestCase("SHA384", 2)]
    [TestCase("SHA512", 1)]
    [TestCase("SHA512", 777)]
    [TestCase("SHA1", 1000)]
    [TestCase("SHA256", 500, 700)]
    [TestCase("SHA384", 3, 1000)]
    public void PBM_base_key_matches_dotnet_hashing(string owf, int iterations, int secretLength = 150)
    {
        var hash = new HashAlgorithmName(owf);
        var secret = RandomNumberGenerator.GetBytes(secretLength);
        var salt = RandomNumberGenerator.GetBytes(200);
        using var digest = IncrementalHash.CreateHash(hash);
        digest.AppendData(secret);
        digest.AppendData(salt);
        var expected = digest.GetHashAndReset();
        for (var i = 1; i < iterations; i++)
        {
            digest.AppendData(expected);
            expected = digest.GetHashAndReset();
        }
        var actual = new byte[expected.Length];

        PbmDigest.Iterate(hash, secret, salt, iterations, actual);

        Assert.That(actual, Is.EqualTo(expected));
    }

    [Test]
    public void Encoded_parameters_parse_back_to_the_same_MAC()
    {
        foreach (IPasswordMac mac in new IPasswordMac[]
                 {
                     PasswordBasedMac.Create(RandomNumberGenerator.GetBytes(16), 500, HashAlgorithmName.SHA256, HashAlgorithmName.SHA256),
                     Pbmac1.Create(RandomNumberGenerator.GetBytes(16), 1000, 32, HashAlgorithmName.SHA256, HashAlgorithmName.SHA512),
                 })
        {
            var parsed = PasswordMacs.Parse(mac.EncodeAlgorithmIdentifier());
            Assert.That(parsed.Compute("s"u8, "d"u8), Is.EqualTo(mac.Compute("s"u8, "d"u8)));
            Assert.That(parsed.WithFreshSalt().Compute("s"u8, "d"u8), Is.Not.EqualTo(mac.Compute("s"u8, "d"u8)), "a fresh salt changes the MAC");
        }
    }

    [TestCase(99, 8)]
    [TestCase(100_001, 8)]
    [TestCase(100, 7)]
    public void Bounds_are_checked_before_any_work(int iterations, int saltLength)
    {
        var rejection = Assert.Throws<CmpRejection>(() => PasswordBasedMac.Create(new byte[saltLength], iterations, HashAlgorithmName.SHA256, HashAlgorithmName.SHA1));
        Assert.That(rejection!.Failure, Is.EqualTo(PkiFailureInfo.BadAlg));
    }
}
