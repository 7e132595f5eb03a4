using System.Formats.Asn1;
using System.Security.Cryptography;
using AmiPki.Core.Asn1;
using AmiPki.Core.Authorities;
using AmiPki.Core.Keys;

namespace AmiPki.Protocols.Ocsp;

/// <summary>
/// Who signs an issuer's OCSP responses: its delegated responder (RFC 6960 §4.2.2.2: a certificate from the CA with
/// id-kp-OCSPSigning, sent in <c>certs</c>) or, when none could be issued, the CA key itself. Identified by key
/// (ResponderID byKey: SHA-1 of the subjectPublicKey BIT STRING value, §4.2.1).
/// </summary>
public sealed class OcspSigner : IDisposable
{
    private readonly ECDsa? _delegatedKey;
    private readonly ISigningKey? _authorityKey;
    private readonly HashAlgorithmName _hash;

    private OcspSigner(ECDsa? delegatedKey, ISigningKey? authorityKey, KeyAlgorithm algorithm, HashAlgorithmName hash, byte[] subjectPublicKeyInfo,
        byte[]? certificateDer, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        _delegatedKey = delegatedKey;
        _authorityKey = authorityKey;
        _hash = hash;
        CertificateDer = certificateDer;
        NotBefore = notBefore;
        NotAfter = notAfter;
        SignatureAlgorithm = SignatureAlgorithms.EncodeIdentifier(algorithm, hash);
        KeyHash = SHA1.HashData(SubjectPublicKeyBits(subjectPublicKeyInfo));
    }

    /// <summary>The delegated responder certificate to include in <c>certs</c>; null when the CA signs itself.</summary>
    public byte[]? CertificateDer { get; }

    public bool IsDelegated => CertificateDer is not null;

    public DateTimeOffset NotBefore { get; }

    public DateTimeOffset NotAfter { get; }

    /// <summary>DER AlgorithmIdentifier of the signature.</summary>
    public byte[] SignatureAlgorithm { get; }

    /// <summary>ResponderID byKey value.</summary>
    public byte[] KeyHash { get; }

    /// <summary>A delegated responder: its certificate and its private key (held in memory only).</summary>
    public static OcspSigner Delegated(byte[] certificateDer, ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(certificateDer);
        ArgumentNullException.ThrowIfNull(key);
        using var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(certificateDer);
        var (algorithm, hash) = key.KeySize switch
        {
            384 => (KeyAlgorithm.EcP384, HashAlgorithmName.SHA384),
            521 => (KeyAlgorithm.EcP521, HashAlgorithmName.SHA512),
            _ => (KeyAlgorithm.EcP256, HashAlgorithmName.SHA256),
        };
        return new OcspSigner(key, null, algorithm, hash, certificate.PublicKey.ExportSubjectPublicKeyInfo(), certificateDer,
            certificate.NotBefore.ToUniversalTime(), certificate.NotAfter.ToUniversalTime());
    }

    /// <summary>The CA signs its own responses (RFC 6960 §4.2.2.2, first case): no certificate needs to be sent.</summary>
    public static OcspSigner Authority(CertificateAuthority authority)
    {
        ArgumentNullException.ThrowIfNull(authority);
        return new OcspSigner(null, authority.Key, authority.Key.Algorithm, authority.SignatureHash, authority.Key.SubjectPublicKeyInfo.ToArray(), null,
            authority.NotBefore, authority.NotAfter);
    }

    public byte[] Sign(byte[] data) => _delegatedKey is not null
        ? _delegatedKey.SignData(data, _hash, DSASignatureFormat.Rfc3279DerSequence)
        : _authorityKey!.Sign(data, _hash);

    public void Dispose() => _delegatedKey?.Dispose();

    /// <summary>The subjectPublicKey BIT STRING value of a SubjectPublicKeyInfo (what RFC 6960 KeyHash and CertID key hashes cover).</summary>
    public static byte[] SubjectPublicKeyBits(ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        var reader = new AsnReader(subjectPublicKeyInfo.ToArray(), AsnEncodingRules.DER).ReadSequence();
        reader.ReadSequence(); // algorithm
        return reader.ReadBitString(out _);
    }
}
