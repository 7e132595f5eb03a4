using System.Formats.Asn1;
using System.Security.Cryptography;

namespace AmiPki.Protocols.Cmp;

/// <summary>
/// Reads a password-based protectionAlg and checks its parameters against fixed bounds BEFORE any hashing, so a
/// request cannot make the server iterate a million times (iterationCount 100..100,000; salt 8..64 bytes).
/// Anything else is <see cref="PkiFailureInfo.BadAlg"/>.
/// </summary>
public static class PasswordMacs
{
    public const int MinIterations = 100;
    public const int MaxIterations = 100_000;
    public const int MinSaltBytes = 8;
    public const int MaxSaltBytes = 64;

    public static bool IsPasswordBased(string? oid) => oid is CmpOids.PasswordBasedMac or CmpOids.Pbmac1;

    /// <summary>Parses the whole AlgorithmIdentifier of a PasswordBasedMac or PBMAC1 protection.</summary>
    public static IPasswordMac Parse(ReadOnlyMemory<byte> algorithmIdentifierDer)
    {
        try
        {
            var reader = new AsnReader(algorithmIdentifierDer, AsnEncodingRules.DER);
            var algorithm = reader.ReadSequence();
            var oid = algorithm.ReadObjectIdentifier();
            if (!algorithm.HasData)
            {
                throw new CmpRejection(PkiFailureInfo.BadAlg, $"{oid} without parameters");
            }
            var parameters = algorithm.ReadSequence();
            return oid switch
            {
                CmpOids.PasswordBasedMac => PasswordBasedMac.Read(parameters),
                CmpOids.Pbmac1 => Pbmac1.Read(parameters),
                _ => throw new CmpRejection(PkiFailureInfo.BadAlg, $"protection algorithm {oid} is not a password-based MAC"),
            };
        }
        catch (AsnContentException e)
        {
            throw new CmpRejection(PkiFailureInfo.BadAlg, $"malformed MAC parameters: {e.Message}", e);
        }
        catch (CryptographicException e)
        {
            throw new CmpRejection(PkiFailureInfo.BadAlg, $"malformed MAC parameters: {e.Message}", e);
        }
    }

    internal static void CheckBounds(int iterations, int saltLength)
    {
        if (iterations is < MinIterations or > MaxIterations)
        {
            throw new CmpRejection(PkiFailureInfo.BadAlg, $"iterationCount {iterations} is outside {MinIterations}..{MaxIterations}");
        }
        if (saltLength is < MinSaltBytes or > MaxSaltBytes)
        {
            throw new CmpRejection(PkiFailureInfo.BadAlg, $"a salt of {saltLength} bytes is outside {MinSaltBytes}..{MaxSaltBytes}");
        }
    }

    internal static HashAlgorithmName HashOf(string oid) => oid switch
    {
        CmpOids.Sha1 => HashAlgorithmName.SHA1,
        CmpOids.Sha256 => HashAlgorithmName.SHA256,
        CmpOids.Sha384 => HashAlgorithmName.SHA384,
        CmpOids.Sha512 => HashAlgorithmName.SHA512,
        _ => throw new CmpRejection(PkiFailureInfo.BadAlg, $"one-way function {oid} is not supported (SHA-1, SHA-2)"),
    };

    internal static HashAlgorithmName HmacHashOf(string oid) => oid switch
    {
        CmpOids.HmacSha1Ipsec or CmpOids.HmacWithSha1 => HashAlgorithmName.SHA1,
        CmpOids.HmacWithSha256 => HashAlgorithmName.SHA256,
        CmpOids.HmacWithSha384 => HashAlgorithmName.SHA384,
        CmpOids.HmacWithSha512 => HashAlgorithmName.SHA512,
        _ => throw new CmpRejection(PkiFailureInfo.BadAlg, $"MAC algorithm {oid} is not supported (HMAC with SHA-1 or SHA-2)"),
    };

    internal static byte[] Hmac(HashAlgorithmName hash, ReadOnlySpan<byte> key, ReadOnlySpan<byte> data) => hash.Name switch
    {
        "SHA1" => HMACSHA1.HashData(key, data),
        "SHA256" => HMACSHA256.HashData(key, data),
        "SHA384" => HMACSHA384.HashData(key, data),
        _ => HMACSHA512.HashData(key, data),
    };

    internal static string ReadAlgorithmOid(AsnReader reader, out ReadOnlyMemory<byte> encoded)
    {
        encoded = reader.PeekEncodedValue();
        return reader.ReadSequence().ReadObjectIdentifier();
    }
}
