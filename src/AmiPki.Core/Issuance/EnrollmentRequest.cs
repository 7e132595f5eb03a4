namespace AmiPki.Core.Issuance;

/// <summary>
/// What a protocol adapter hands the core: a DER PKCS#10 CSR, the profile asked for, the authenticated requester and
/// the protocol name (one of <see cref="Profiles.EnrollmentProtocol"/>).
/// </summary>
public sealed record EnrollmentRequest(ReadOnlyMemory<byte> CsrDer, string ProfileName, Requester Requester, string Protocol)
{
    /// <summary>One of the profile's issuers; null means the profile's first.</summary>
    public string? IssuerName { get; init; }

    public DeviceContext? Device { get; init; }

    /// <summary>For re-enrollment: the certificate being renewed. Subject and SAN must be identical (RFC 7030 §4.2.2).</summary>
    public CertificateFields? Renewing { get; init; }

    /// <summary>Set when the protocol proved possession another way (e.g. CRMF POP already checked by the adapter).</summary>
    public bool ProofOfPossessionVerified { get; init; }

    /// <summary>
    /// A request already built by the adapter (e.g. from a CRMF CertTemplate, <see cref="CertificationRequest.FromTemplate"/>);
    /// when set, <see cref="CsrDer"/> is only recorded, never parsed, and <see cref="ProofOfPossessionVerified"/> must be true.
    /// </summary>
    public CertificationRequest? Parsed { get; init; }
}
