using AmiPki.Core.Credentials;
using AmiPki.Core.Issuance;
using AmiPki.Core.Storage;

namespace AmiPki.Core.Authorization;

/// <summary>
/// What the authorizer allowed, and the extra request rules it attached (smallstep's sign options): the subject the
/// request must carry, the identity of the renewed certificate it must keep, the one-time credential to consume and the
/// certificate the new one supersedes. Only the core makes one.
/// </summary>
public sealed record AuthorizationGrant
{
    internal AuthorizationGrant(AuthorizationRule rule)
    {
        Rule = rule;
    }

    public AuthorizationRule Rule { get; }

    /// <summary>The request's subject must be exactly this DN (compared by <see cref="SubjectText.Canonical"/>).</summary>
    public string? RequiredSubject { get; internal init; }

    /// <summary>The request's subject must be exactly CN = this system title.</summary>
    public string? RequiredSystemTitle { get; internal init; }

    /// <summary>A renewal: subject and SAN must equal this certificate's.</summary>
    public CertificateFields? Renewing { get; internal init; }

    /// <summary>A one-time credential, consumed (atomically, once) just before the serial is reserved.</summary>
    public EnrollmentCredential? OneTimeCredential { get; internal init; }

    /// <summary>The certificate revoked as superseded once the new one is issued (the profile's renewal policy).</summary>
    public CertificateRecord? Supersedes { get; internal init; }

    /// <summary>Issued only once an administrator approved the held request (<see cref="EnrollmentRequest.ApprovedBy"/>).</summary>
    public bool RequiresApproval { get; internal init; }

    /// <summary>What is recorded with the certificate for bulk revocation (system title, DCU, lot, IDevID).</summary>
    public DeviceContext? Device { get; internal init; }
}
