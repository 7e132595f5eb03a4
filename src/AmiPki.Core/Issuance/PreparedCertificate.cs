using AmiPki.Core.Authorization;
using AmiPki.Core.Profiles;

namespace AmiPki.Core.Issuance;

/// <summary>
/// A to-be-signed certificate that passed authorization, policy and lint (STYLE.md: Boulder's Prepare/Issue split and
/// its issuance token). Only the core makes or alters one (internal initialisers), and only
/// <see cref="IssuanceService.IssuePreparedAsync"/> touches the issuing key.
/// </summary>
public sealed record PreparedCertificate
{
    internal PreparedCertificate()
    {
    }

    public EnrollmentRequest Request { get; internal init; } = null!;

    public CertificateProfile Profile { get; internal init; } = null!;

    /// <summary>What the authorizer allowed, with the extra rules it attached.</summary>
    public AuthorizationGrant Grant { get; internal init; } = null!;

    internal CertificateTemplate Template { get; init; } = null!;

    internal CertificationRequest Csr { get; init; } = null!;

    internal RequestedExtension? SubjectAltName { get; init; }

    public string Subject { get; internal init; } = "";

    internal byte[] Serial { get; init; } = [];

    /// <summary>The linted to-be-signed certificate (DER).</summary>
    public ReadOnlyMemory<byte> Tbs => TbsBytes;

    internal byte[] TbsBytes { get; init; } = [];

    public DateTimeOffset NotBefore { get; internal init; }

    public DateTimeOffset NotAfter { get; internal init; }

    public string SerialHex => Convert.ToHexString(Serial);

    /// <summary>When preparation started (<see cref="TimeProvider.GetTimestamp"/>), for the latency metric; 0 if unknown.</summary>
    internal long StartedTimestamp { get; init; }
}
