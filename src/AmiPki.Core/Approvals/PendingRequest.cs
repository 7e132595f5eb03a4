namespace AmiPki.Core.Approvals;

/// <summary>
/// A certificate request held for an admin's decision. <see cref="Id"/> is derived from what makes two requests "the
/// same" (protocol, profile, requester, CSR), so a client repeating its request finds it again (RFC 7030 §4.2.3).
/// </summary>
/// <param name="RenewingDer">For a re-enrollment, the certificate being renewed (its identity is checked again at issuance).</param>
/// <param name="DeviceDetail">What the adapter knew of the device (system title, lot, DCU), for the admin's eyes.</param>
public sealed record PendingRequest(
    string Id,
    string Protocol,
    string Profile,
    string Requester,
    string Subject,
    byte[] CsrDer,
    byte[]? RenewingDer,
    string? DeviceDetail,
    PendingRequestState State,
    DateTimeOffset CreatedAt,
    DateTimeOffset? DecidedAt = null,
    string? DecidedBy = null,
    string? Reason = null,
    string? Issuer = null,
    string? SerialHex = null,
    byte[]? CertificateDer = null);
