using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Authorities;

namespace AmiPki.Core.Issuance;

/// <summary>A certificate the core signed and durably recorded.</summary>
public sealed record IssuedCertificate(CertificateAuthority Issuer, string Profile, string SerialHex, byte[] Der, DateTimeOffset NotBefore, DateTimeOffset NotAfter)
{
    /// <summary>
    /// The certificate this one supersedes under the profile's renewal policy, when its revocation was deferred
    /// (<see cref="EnrollmentRequest.DeferSupersession"/>: CMP revokes it once the new certificate is confirmed).
    /// </summary>
    public (string Issuer, string SerialHex)? PendingSupersession { get; init; }

    public X509Certificate2 ToX509() => X509CertificateLoader.LoadCertificate(Der);
}
