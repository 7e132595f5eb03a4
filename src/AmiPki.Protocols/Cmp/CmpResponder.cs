using System.Formats.Asn1;
using System.Security.Cryptography;
using AmiPki.Core.Asn1;
using AmiPki.Core.Authorities;
using AmiPki.Core.Issuance;
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

    private CmpResponder(byte[] subjectDer, byte[]? subjectKeyIdentifier, DateTimeOffset notAfter, IReadOnlyList<byte[]> chain, ECDsa? key,
        CertificateAuthority? authority, KeyAlgorithm algorithm, HashAlgorithmName hash)
    {
        Chain = chain;
        _key = key;
        _authority = authority;
        Hash = hash;
        SignatureAlgorithm = SignatureAlgorithms.EncodeIdentifier(algorithm, hash);
        SubjectDer = subjectDer;
        SubjectKeyIdentifier = subjectKeyIdentifier;
        NotAfter = notAfter;
    }

    /// <summary>The responder's certificate first, then its CA chain (RFC 9483 §3.3 extraCerts).</summary>
    public IReadOnlyList<byte[]> Chain { get; }

    public byte[] SubjectDer { get; }

    public byte[]? SubjectKeyIdentifier { get; }

    public byte[] SignatureAlgorithm { get; }

    public HashAlgorithmName Hash { get; }

    public DateTimeOffset NotAfter { get; }

    /// <summary>Signs with <paramref name="key"/> as the holder of <paramref name="certificateDer"/> (read from its DER, no X509Certificate2).</summary>
    public static CmpResponder Delegated(byte[] certificateDer, ECDsa key, IReadOnlyList<CertificateAuthority> caChain)
    {
        var fields = CertificateFields.Read(certificateDer);
        var algorithm = key.KeySize > 256 ? KeyAlgorithm.EcP384 : KeyAlgorithm.EcP256;
        var hash = algorithm == KeyAlgorithm.EcP384 ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;
        return new CmpResponder(fields.SubjectDer, fields.SubjectKeyIdentifier, fields.NotAfter, [certificateDer, .. caChain.Select(c => c.Der)], key, null,
            algorithm, hash);
    }

    public static CmpResponder Authority(CertificateAuthority authority, IReadOnlyList<CertificateAuthority> caChain) =>
        new(authority.SubjectName, authority.SubjectKeyIdentifier, authority.NotAfter, [.. caChain.Select(c => c.Der)], null, authority,
            authority.Key.Algorithm, authority.SignatureHash);

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
