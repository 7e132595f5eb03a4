using System.Security.Cryptography;
using AmiPki.Core.Authorities;

namespace AmiPki.Protocols.Ocsp;

/// <summary>
/// A CA this responder answers for: the hashes of its name and key under every CertID hash algorithm (RFC 6960
/// §4.1.1: issuerNameHash over the DER issuer Name, issuerKeyHash over the subjectPublicKey BIT STRING value), and
/// the signer currently answering for it.
/// </summary>
public sealed class OcspIssuer
{
    private readonly byte[][] _nameHashes;
    private readonly byte[][] _keyHashes;
    private volatile OcspSigner? _signer;

    public OcspIssuer(int index, CertificateAuthority authority)
    {
        ArgumentNullException.ThrowIfNull(authority);
        Index = index;
        Authority = authority;
        var keyBits = OcspSigner.SubjectPublicKeyBits(authority.Certificate.PublicKey.ExportSubjectPublicKeyInfo());
        var algorithms = Enum.GetValues<OcspHashAlgorithm>();
        _nameHashes = new byte[algorithms.Length][];
        _keyHashes = new byte[algorithms.Length][];
        foreach (var algorithm in algorithms)
        {
            _nameHashes[(int)algorithm] = Hash(algorithm, authority.SubjectName);
            _keyHashes[(int)algorithm] = Hash(algorithm, keyBits);
        }
    }

    public int Index { get; }

    public CertificateAuthority Authority { get; }

    public string Name => Authority.Name;

    /// <summary>Null until the responder is ready (or when it could not be set up).</summary>
    public OcspSigner? Signer
    {
        get => _signer;
        set => _signer = value;
    }

    public bool Matches(OcspCertId certId) =>
        certId.Hash is { } hash
        && certId.IssuerKeyHash.Span.SequenceEqual(_keyHashes[(int)hash])
        && certId.IssuerNameHash.Span.SequenceEqual(_nameHashes[(int)hash]);

    public ReadOnlySpan<byte> NameHash(OcspHashAlgorithm hash) => _nameHashes[(int)hash];

    public ReadOnlySpan<byte> KeyHash(OcspHashAlgorithm hash) => _keyHashes[(int)hash];

    public static byte[] Hash(OcspHashAlgorithm algorithm, ReadOnlySpan<byte> data) => algorithm switch
    {
        OcspHashAlgorithm.Sha1 => SHA1.HashData(data),
        OcspHashAlgorithm.Sha256 => SHA256.HashData(data),
        OcspHashAlgorithm.Sha384 => SHA384.HashData(data),
        _ => SHA512.HashData(data),
    };
}
