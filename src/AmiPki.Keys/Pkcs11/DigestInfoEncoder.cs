using System.Security.Cryptography;

namespace AmiPki.Keys.Pkcs11;

/// <summary>
/// CKM_RSA_PKCS signs whatever it is given with PKCS#1 v1.5 padding (PKCS#11 v2.40 current mechanisms
/// §2.1.6), so the caller supplies the DER DigestInfo itself: the fixed prefixes of RFC 8017 §9.2 note 1,
/// followed by the hash.
/// </summary>
internal static class DigestInfoEncoder
{
    private static readonly byte[] Sha256Prefix =
        [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20];

    private static readonly byte[] Sha384Prefix =
        [0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30];

    private static readonly byte[] Sha512Prefix =
        [0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40];

    public static byte[] Encode(HashAlgorithmName hash, ReadOnlySpan<byte> digest)
    {
        var prefix = Prefix(hash);
        var result = new byte[prefix.Length + digest.Length];
        prefix.CopyTo(result, 0);
        digest.CopyTo(result.AsSpan(prefix.Length));
        return result;
    }

    private static byte[] Prefix(HashAlgorithmName hash) => hash.Name switch
    {
        "SHA256" => Sha256Prefix,
        "SHA384" => Sha384Prefix,
        "SHA512" => Sha512Prefix,
        _ => throw new ArgumentException($"unsupported hash for an RSA signature: {hash.Name}", nameof(hash)),
    };
}
