namespace AmiPki.Core.Issuance;

/// <summary>
/// What a protocol adapter hands the core: a DER PKCS#10 CSR, the profile asked for, the authenticated requester and
/// the protocol name (one of <see cref="Profiles.EnrollmentProtocol"/>).
/// </summary>
public sealed record EnrollmentRequest(ReadOnlyMemory<byte> CsrDer, string ProfileName, Requester Requester, string Protocol)
{
    /// <summary>
    /// The CA the requester named (CMP CertTemplate issuer, an admin's --issuer): honoured if the profile lists it,
    /// refused otherwise. Null: the profile's issuer whose key matches the request's key algorithm, else its first.
    /// </summary>
    public string? IssuerName { get; init; }

    /// <summary>What is recorded with the certificate; null: what the authorizer derived from the requester's evidence.</summary>
    public DeviceContext? Device { get; init; }

    /// <summary>
    /// A certificate whose identity this request must keep, besides the one a renewing requester presents (the core sets
    /// that one itself). Subject and SAN must be identical (RFC 7030 §4.2.2).
    /// </summary>
    public CertificateFields? Renewing { get; init; }

    /// <summary>
    /// The administrator who approved this (held) request. A profile with manual approval, or a grant that requires it,
    /// is never issued without one: the core holds that rule, adapters only pass the decision on.
    /// </summary>
    public string? ApprovedBy { get; init; }

    /// <summary>Leave the superseded certificate valid for now and report it in <see cref="IssuedCertificate.PendingSupersession"/> (CMP: until certConf, RFC 4210 §5.3.18).</summary>
    public bool DeferSupersession { get; init; }

    /// <summary>Set when the protocol proved possession another way (e.g. CRMF POP already checked by the adapter).</summary>
    public bool ProofOfPossessionVerified { get; init; }

    /// <summary>
    /// A request already built by the adapter (e.g. from a CRMF CertTemplate, <see cref="CertificationRequest.FromTemplate"/>);
    /// when set, <see cref="CsrDer"/> is only recorded, never parsed, and <see cref="ProofOfPossessionVerified"/> must be true.
    /// </summary>
    public CertificationRequest? Parsed { get; init; }
}
