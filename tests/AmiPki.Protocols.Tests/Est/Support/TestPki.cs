using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using NUnit.Framework;

namespace AmiPki.Protocols.Tests.Est.Support;

/// <summary>CSRs, throwaway manufacturer CAs and IDevIDs, and EST body helpers for the tests.</summary>
public static class TestPki
{
    public static (ECDsa Key, byte[] Der) Csr(string subject, string? dnsName = null, ECCurve? curve = null)
    {
        var key = ECDsa.Create(curve ?? ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        if (dnsName is not null)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName(dnsName);
            request.CertificateExtensions.Add(san.Build());
        }
        return (key, request.CreateSigningRequest());
    }

    public static ByteArrayContent Body(string base64, string mediaType = "application/pkcs10")
    {
        var content = new ByteArrayContent(Encoding.ASCII.GetBytes(base64));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(mediaType);
        return content;
    }

    /// <summary>Base64 wrapped at 64 characters, as RFC 7030 clients send it.</summary>
    public static ByteArrayContent Pkcs10(byte[] der) => Body(Wrap(Convert.ToBase64String(der)));

    public static string Wrap(string base64) => string.Concat(base64.Chunk(64).Select(c => new string(c) + "\n"));

    /// <summary>A throwaway manufacturer (IDevID) CA: self-signed, CA:true.</summary>
    public static X509Certificate2 ManufacturerCa(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name} IDevID CA, O={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(20));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>An IDevID issued by <paramref name="ca"/>, with its private key.</summary>
    public static X509Certificate2 IDevId(X509Certificate2 ca, string serialNumber)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={serialNumber}, serialNumber={serialNumber}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        using var signed = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(15), RandomNumberGenerator.GetBytes(12));
        using var withKey = signed.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>A certificate with its key, loadable by SslStream as a client certificate.</summary>
    public static X509Certificate2 WithKey(byte[] certificateDer, ECDsa key)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(certificateDer);
        using var withKey = certificate.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    public static string Fingerprint(X509Certificate2 certificate) => Convert.ToHexString(SHA256.HashData(certificate.RawData));

    /// <summary>The certificates of a base64 certs-only answer.</summary>
    public static X509Certificate2Collection CertsOnly(string base64)
    {
        var cms = new SignedCms();
        cms.Decode(Convert.FromBase64String(base64));
        Assert.That(cms.SignerInfos, Is.Empty, "certs-only carries no signer");
        return cms.Certificates;
    }
}
