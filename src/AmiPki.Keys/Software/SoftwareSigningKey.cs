using System.Security.Cryptography;
using AmiPki.Core.Keys;

namespace AmiPki.Keys.Software;

/// <summary>A key held in process memory (OpenSSL-backed .NET key object; signing is safe from several threads).</summary>
internal sealed class SoftwareSigningKey : ISigningKey
{
    private readonly AsymmetricAlgorithm _key;

    public SoftwareSigningKey(string keyReference, KeyAlgorithm algorithm, AsymmetricAlgorithm key)
    {
        KeyReference = keyReference;
        Algorithm = algorithm;
        _key = key;
        SubjectPublicKeyInfo = key.ExportSubjectPublicKeyInfo();
    }

    public string KeyReference { get; }

    public KeyAlgorithm Algorithm { get; }

    public ReadOnlyMemory<byte> SubjectPublicKeyInfo { get; }

    public byte[] Sign(ReadOnlySpan<byte> data, HashAlgorithmName hash) => _key switch
    {
        ECDsa ecdsa => ecdsa.SignData(data, hash, DSASignatureFormat.Rfc3279DerSequence),
        RSA rsa => rsa.SignData(data, hash, RSASignaturePadding.Pkcs1),
        _ => throw new InvalidOperationException("unsupported key"),
    };

    public void Dispose() => _key.Dispose();
}
