using System.Security.Cryptography;
using System.Text;

namespace AmiPki.Coap.Dtls;

/// <summary>
/// A certificate chain (leaf first) and its private key, as the bytes the caller holds: DER or PEM.
/// Only decoded from PEM armour here; OpenSSL parses the DER.
/// </summary>
public sealed class DtlsCredentials
{
    private DtlsCredentials(IReadOnlyList<byte[]> certificateChain, byte[] privateKey)
    {
        if (certificateChain.Count == 0)
        {
            throw new ArgumentException("at least the leaf certificate is needed", nameof(certificateChain));
        }

        CertificateChain = certificateChain;
        PrivateKey = privateKey;
    }

    /// <summary>DER certificates, leaf first.</summary>
    public IReadOnlyList<byte[]> CertificateChain { get; }

    /// <summary>DER private key: PKCS#8, or traditional EC ("EC PRIVATE KEY") / RSA.</summary>
    public byte[] PrivateKey { get; }

    public static DtlsCredentials FromDer(IReadOnlyList<byte[]> certificateChain, byte[] privateKey) =>
        new(certificateChain.Select(certificate => certificate.ToArray()).ToArray(), privateKey.ToArray());

    /// <summary>Accepts PEM (one or more certificates, then any key label) or DER for each argument.</summary>
    public static DtlsCredentials FromBytes(ReadOnlySpan<byte> certificates, ReadOnlySpan<byte> privateKey) =>
        new(IsPem(certificates) ? DecodeAllPem(Encoding.ASCII.GetString(certificates)) : [certificates.ToArray()],
            IsPem(privateKey) ? DecodeAllPem(Encoding.ASCII.GetString(privateKey))[0] : privateKey.ToArray());

    public static DtlsCredentials FromPem(string certificatesPem, string privateKeyPem) =>
        new(DecodeAllPem(certificatesPem), DecodeAllPem(privateKeyPem)[0]);

    private static bool IsPem(ReadOnlySpan<byte> bytes) => bytes.IndexOf("-----BEGIN "u8) >= 0;

    private static List<byte[]> DecodeAllPem(string pem)
    {
        var decoded = new List<byte[]>();

        // RFC 7468 wants whitespace after an END line: tolerate files concatenated without a final newline.
        var rest = pem.Replace("-----BEGIN ", "\n-----BEGIN ", StringComparison.Ordinal).AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            decoded.Add(Convert.FromBase64String(rest[fields.Base64Data].ToString()));
            rest = rest[fields.Location.End..];
        }

        return decoded.Count > 0 ? decoded : throw new ArgumentException("no PEM block found");
    }
}
