using System.Security.Cryptography;

namespace AmiPki.Core.Keys;

/// <summary>
/// A private key that signs on the core's behalf. For a CA key the private half may live in an HSM and
/// never leave it; the core only ever sees signatures.
/// </summary>
public interface ISigningKey : IDisposable
{
    /// <summary>Where the key lives, e.g. <c>software:issuing-s1</c> or an RFC 7512 <c>pkcs11:</c> URI.</summary>
    string KeyReference { get; }

    KeyAlgorithm Algorithm { get; }

    /// <summary>DER SubjectPublicKeyInfo of the public half.</summary>
    ReadOnlyMemory<byte> SubjectPublicKeyInfo { get; }

    /// <summary>
    /// Signs <paramref name="data"/> (the digest is computed by the implementation or locally before a token call).
    /// ECDSA signatures are returned as the DER <c>Ecdsa-Sig-Value</c> of RFC 3279 §2.2.3; RSA as PKCS#1 v1.5.
    /// Must be safe to call from several threads at once.
    /// </summary>
    byte[] Sign(ReadOnlySpan<byte> data, HashAlgorithmName hash);
}
