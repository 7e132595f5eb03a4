using System.Security.Cryptography;
using AmiPki.Core.Keys;

namespace AmiPki.Core.Issuance;

/// <summary>
/// Keys that sign the lint copy of a certificate (STYLE.md: Boulder lints a copy signed by a throwaway key), so the
/// linter sees a complete certificate while the issuing key has signed nothing yet. One per thread and algorithm.
/// </summary>
internal static class ThrowawayLintKeys
{
    [ThreadStatic]
    private static Dictionary<KeyAlgorithm, AsymmetricAlgorithm>? t_keys;

    public static byte[] Sign(KeyAlgorithm algorithm, ReadOnlySpan<byte> data, HashAlgorithmName hash)
    {
        var keys = t_keys ??= [];
        if (!keys.TryGetValue(algorithm, out var key))
        {
            key = algorithm switch
            {
                KeyAlgorithm.EcP256 => ECDsa.Create(ECCurve.NamedCurves.nistP256),
                KeyAlgorithm.EcP384 => ECDsa.Create(ECCurve.NamedCurves.nistP384),
                KeyAlgorithm.EcP521 => ECDsa.Create(ECCurve.NamedCurves.nistP521),
                KeyAlgorithm.Rsa2048 => RSA.Create(2048),
                KeyAlgorithm.Rsa3072 => RSA.Create(3072),
                _ => RSA.Create(4096),
            };
            keys[algorithm] = key;
        }
        return key switch
        {
            ECDsa ecdsa => ecdsa.SignData(data, hash, DSASignatureFormat.Rfc3279DerSequence),
            RSA rsa => rsa.SignData(data.ToArray(), hash, RSASignaturePadding.Pkcs1),
            _ => throw new InvalidOperationException(),
        };
    }
}
