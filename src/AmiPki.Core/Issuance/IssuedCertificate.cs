using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Authorities;

namespace AmiPki.Core.Issuance;

/// <summary>A certificate the core signed and durably recorded.</summary>
public sealed record IssuedCertificate(CertificateAuthority Issuer, string Profile, string SerialHex, byte[] Der, DateTimeOffset NotBefore, DateTimeOffset NotAfter)
{
    public X509Certificate2 ToX509() => X509CertificateLoader.LoadCertificate(Der);
}
