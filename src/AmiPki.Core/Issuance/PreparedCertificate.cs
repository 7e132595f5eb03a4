using AmiPki.Core.Profiles;

namespace AmiPki.Core.Issuance;

/// <summary>
/// A to-be-signed certificate that passed policy and lint (STYLE.md: Boulder's Prepare/Issue split). Only
/// <see cref="IssuanceService.IssuePreparedAsync"/> touches the issuing key.
/// </summary>
public sealed record PreparedCertificate(
    EnrollmentRequest Request,
    CertificateProfile Profile,
    CertificateTemplate Template,
    CertificationRequest Csr,
    RequestedExtension? SubjectAltName,
    string Subject,
    byte[] Serial,
    byte[] Tbs,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter)
{
    public string SerialHex => Convert.ToHexString(Serial);

    /// <summary>When <see cref="IssuanceService.Prepare"/> started (<see cref="TimeProvider.GetTimestamp"/>), for the latency metric; 0 if unknown.</summary>
    public long StartedTimestamp { get; init; }
}
