using System.Security.Cryptography;
using AmiPki.Core.Keys;

namespace AmiPki.Core.Tests.Support;

/// <summary>An in-memory ECDSA key for core tests (throwaway, generated per test run).</summary>
public sealed class TestSigningKey : ISigningKey
{
    private readonly ECDsa _key;

    public TestSigningKey(KeyAlgorithm algorithm)
    {
        Algorithm = algorithm;
        _key = ECDsa.Create(algorithm == KeyAlgorithm.EcP384 ? ECCurve.NamedCurves.nistP384 : ECCurve.NamedCurves.nistP256);
        SubjectPublicKeyInfo = _key.ExportSubjectPublicKeyInfo();
    }

    public string KeyReference => "test:" + Algorithm;

    public KeyAlgorithm Algorithm { get; }

    public ReadOnlyMemory<byte> SubjectPublicKeyInfo { get; }

    /// <summary>When set, Sign throws it (an HSM gone away).</summary>
    public Exception? FailWith { get; set; }

    public int Signatures { get; set; }

    public byte[] Sign(ReadOnlySpan<byte> data, HashAlgorithmName hash)
    {
        if (FailWith is not null)
        {
            throw FailWith;
        }
        Signatures++;
        return _key.SignData(data, hash, DSASignatureFormat.Rfc3279DerSequence);
    }

    public void Dispose() => _key.Dispose();
}
