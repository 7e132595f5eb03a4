using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Authorities;
using AmiPki.Core.Crl;

namespace AmiPki.Server.Api.Contracts;

/// <summary>A CA; <see cref="Online"/> is false for a root whose key stays offline (its own token).</summary>
public sealed record CaView(string Name, string? Parent, string Subject, string Serial, DateTimeOffset NotBefore, DateTimeOffset NotAfter, string KeyProvider,
    bool Online, string? CrlUrl, string? OcspUrl, string? CaIssuersUrl, DateTimeOffset CreatedAt, string? Pem = null)
{
    public static CaView From(CaRecord record, bool online, bool withPem)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(record.CertificateDer);
        return new CaView(record.Name, record.Parent, certificate.Subject, certificate.SerialNumber, certificate.NotBefore.ToUniversalTime(),
            certificate.NotAfter.ToUniversalTime(), record.KeyProvider, online, record.CrlUrl, record.OcspUrl, record.CaIssuersUrl, record.CreatedAt,
            withPem ? PemText.Encode("CERTIFICATE", record.CertificateDer) : null);
    }
}

public sealed record CrlView(string Issuer, long Number, long? DeltaBaseNumber, DateTimeOffset ThisUpdate, DateTimeOffset NextUpdate, int Entries, string ETag,
    string? Pem = null)
{
    public static CrlView From(PublishedCrl crl, bool withPem) => new(crl.Issuer, crl.Number, crl.DeltaBaseNumber, crl.ThisUpdate, crl.NextUpdate, crl.EntryCount,
        crl.ETag, withPem ? PemText.Encode("X509 CRL", crl.Der) : null);
}

/// <summary>An issuer's current complete CRL and the delta published beside it.</summary>
public sealed record CrlSetView(string Issuer, CrlView Full, CrlView Delta);
