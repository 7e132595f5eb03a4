using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Keys;

namespace AmiPki.Core.Authorities;

/// <summary>A CA ready to sign: its certificate, its signing key and the URLs it stamps into what it issues.</summary>
public sealed class CertificateAuthority
{
    public CertificateAuthority(CaRecord record, ISigningKey key)
    {
        Record = record;
        Key = key;
        Certificate = X509CertificateLoader.LoadCertificate(record.CertificateDer);
        SubjectName = Certificate.SubjectName.RawData;
        SubjectKeyIdentifier = Certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault()?.SubjectKeyIdentifierBytes.ToArray()
            ?? throw new InvalidOperationException($"CA '{record.Name}' certificate has no subject key identifier");
        SignatureHash = DefaultHashFor(key.Algorithm);
        if (!key.SubjectPublicKeyInfo.Span.SequenceEqual(Certificate.PublicKey.ExportSubjectPublicKeyInfo()))
        {
            throw new InvalidOperationException($"CA '{record.Name}': the key at {key.KeyReference} does not match the CA certificate");
        }
    }

    public string Name => Record.Name;

    public CaRecord Record { get; }

    public ISigningKey Key { get; }

    public X509Certificate2 Certificate { get; }

    /// <summary>The CA certificate's DER, as recorded (no copy: <see cref="X509Certificate2.RawData"/> copies on every read).</summary>
    public byte[] Der => Record.CertificateDer;

    /// <summary>DER of the CA's subject Name: the issuer field of everything it signs.</summary>
    public byte[] SubjectName { get; }

    public byte[] SubjectKeyIdentifier { get; }

    public HashAlgorithmName SignatureHash { get; }

    public DateTimeOffset NotBefore => Certificate.NotBefore.ToUniversalTime();

    public DateTimeOffset NotAfter => Certificate.NotAfter.ToUniversalTime();

    /// <summary>The hash paired with each key (DLMS Suite 1: P-256/SHA-256, Suite 2: P-384/SHA-384).</summary>
    public static HashAlgorithmName DefaultHashFor(KeyAlgorithm algorithm) => algorithm switch
    {
        KeyAlgorithm.EcP384 => HashAlgorithmName.SHA384,
        KeyAlgorithm.EcP521 => HashAlgorithmName.SHA512,
        _ => HashAlgorithmName.SHA256,
    };
}
