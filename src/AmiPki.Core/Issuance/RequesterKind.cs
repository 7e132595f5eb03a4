namespace AmiPki.Core.Issuance;

/// <summary>How a requester proved who it is (the evidence a protocol adapter hands the core's authorizer).</summary>
public enum RequesterKind
{
    /// <summary>A PKI admin at the CLI or admin API.</summary>
    Administrator,

    /// <summary>An enrollment account or secret (EST Basic, CMP reference, SCEP challenge).</summary>
    Credential,

    /// <summary>A factory IDevID certificate chaining to a registered manufacturer trust anchor.</summary>
    FactoryCertificate,

    /// <summary>Its current AmiPki certificate (renewal).</summary>
    CurrentCertificate,

    /// <summary>AmiPki itself, for its own operational certificates.</summary>
    Internal,

    /// <summary>Nothing verified automatically: only an administrator's approval of the held request can authorize it.</summary>
    Unverified,

    /// <summary>A held request an administrator approved: authorized when it was submitted, now released for issuance.</summary>
    ApprovedRequest,
}
