using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Asn1;

namespace AmiPki.Core.Keys;

/// <summary>
/// Lets .NET's builders (<see cref="CertificateRequest"/>, <see cref="CertificateRevocationListBuilder"/>) sign with
/// any <see cref="ISigningKey"/>, so CA certificates and CRLs are signed where the key lives (STYLE.md: the seam for HSMs).
/// </summary>
public sealed class SigningKeySignatureGenerator : X509SignatureGenerator
{
    private readonly ISigningKey _key;

    public SigningKeySignatureGenerator(ISigningKey key)
    {
        _key = key;
    }

    public override byte[] GetSignatureAlgorithmIdentifier(HashAlgorithmName hashAlgorithm) =>
        SignatureAlgorithms.EncodeIdentifier(_key.Algorithm, hashAlgorithm);

    public override byte[] SignData(byte[] data, HashAlgorithmName hashAlgorithm) => _key.Sign(data, hashAlgorithm);

    protected override PublicKey BuildPublicKey() => PublicKey.CreateFromSubjectPublicKeyInfo(_key.SubjectPublicKeyInfo.Span, out _);
}
