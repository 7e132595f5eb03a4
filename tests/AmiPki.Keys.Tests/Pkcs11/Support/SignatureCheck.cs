using System.Security.Cryptography;
using AmiPki.Core.Asn1;
using AmiPki.Core.Keys;

namespace AmiPki.Keys.Tests.Pkcs11.Support;

/// <summary>Verifies an <see cref="ISigningKey"/> signature with .NET, from the key's SubjectPublicKeyInfo alone.</summary>
internal static class SignatureCheck
{
    public static bool Verify(ISigningKey key, byte[] data, byte[] signature, HashAlgorithmName hash)
    {
        if (key.Algorithm.IsEc())
        {
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportSubjectPublicKeyInfo(key.SubjectPublicKeyInfo.Span, out _);
            return ecdsa.VerifyData(data, signature, hash, DSASignatureFormat.Rfc3279DerSequence);
        }
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(key.SubjectPublicKeyInfo.Span, out _);
        return rsa.VerifyData(data, signature, hash, RSASignaturePadding.Pkcs1);
    }
}
