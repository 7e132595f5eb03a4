using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Asn1;
using AmiPki.Core.Authorities;
using AmiPki.Core.Keys;

namespace AmiPki.Protocols.Cmp;

/// <summary>
/// The identity that signs CMP responses (RFC 4210 §5.1.3.3, RFC 9483 §3.3): its certificate (digitalSignature,
/// issued by our CA), the chain up to the root for extraCerts, and the key. Falls back to the CA key itself when no
/// responder profile exists.
/// </summary>
public sealed class CmpResponder
{
    private readonly ECDsa? _key;
    private readonly CertificateAuthority? _authority;

    private CmpResponder(X509Certificate2 certificate, IReadOnlyList<byte[]> chain, ECDsa? key, CertificateAuthority? authority, KeyAlgorithm algorithm,
        HashAlgorithmName hash)
    {
        Certificate = certificate;
        Chain = chain;
        _key = key;
        _authority = authority;
        Hash = hash;
        SignatureAlgorithm = SignatureAlgorithms.EncodeIdentifier(algorithm, hash);
        SubjectDer = certificate.SubjectName.RawData;
        SubjectKeyIdentifier = certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault()?.SubjectKeyIdentifierBytes.ToArray();
        NotAfter = certificate.NotAfter.ToUniversalTime();
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>The responder's certificate first, then its CA chain (RFC 9483 §3.3 extraCerts).</summary>
    public IReadOnlyList<byte[]> Chain { get; }

    public byte[] SubjectDer { get; }

    public byte[]? SubjectKeyIdentifier { get; }

    public byte[] SignatureAlgorithm { get; }

    public HashAlgorithmName Hash { get; }

    public DateTimeOffset NotAfter { get; }

    public static CmpResponder Delegated(byte[] certificateDer, ECDsa key, IReadOnlyList<CertificateAuthority> caChain)
    {
        var certificate = X509CertificateLoader.LoadCertificate(certificateDer);
        var algorithm = key.KeySize > 256 ? KeyAlgorithm.EcP384 : KeyAlgorithm.EcP256;
        var hash = algorithm == KeyAlgorithm.EcP384 ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;
        return new CmpResponder(certificate, [certificateDer, .. caChain.Select(c => c.Certificate.RawData)], key, null, algorithm, hash);
    }

    public static CmpResponder Authority(CertificateAuthority authority, IReadOnlyList<CertificateAuthority> caChain) =>
        new(authority.Certificate, [.. caChain.Select(c => c.Certificate.RawData)], null, authority, authority.Key.Algorithm, authority.SignatureHash);

    /// <summary>ECDSA as DER Ecdsa-Sig-Value (RFC 3279 §2.2.3), RSA PKCS#1 v1.5, matching <see cref="SignatureAlgorithm"/>.</summary>
    public byte[] Sign(ReadOnlySpan<byte> data) => _key is not null
        ? _key.SignData(data, Hash, DSASignatureFormat.Rfc3279DerSequence)
        : _authority!.Key.Sign(data, Hash);

    /// <summary>The sender GeneralName of responses: directoryName [4] (explicit, Name is a CHOICE).</summary>
    public byte[] SenderGeneralName()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 4, isConstructed: true)))
        {
            writer.WriteEncodedValue(SubjectDer);
        }
        return writer.Encode();
    }
}
