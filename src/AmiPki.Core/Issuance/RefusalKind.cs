namespace AmiPki.Core.Issuance;

/// <summary>Why the core refused a request. Protocol adapters map each to their own error answer.</summary>
public enum RefusalKind
{
    /// <summary>No such profile, or no such issuer for it.</summary>
    UnknownProfile,

    /// <summary>The requester may not use this profile or protocol.</summary>
    NotAuthorized,

    /// <summary>The request is not a well-formed PKCS#10 CSR (bad DER, wrong version, over the size bound).</summary>
    MalformedRequest,

    /// <summary>The CSR's signature does not verify with its own public key (no proof of possession).</summary>
    BadProofOfPossession,

    /// <summary>The key type, curve or size is not allowed by the profile (or not allowed at all: explicit curves).</summary>
    KeyNotAllowed,

    /// <summary>The subject, SAN or another field breaks the profile's rules.</summary>
    ProfileViolation,

    /// <summary>The built certificate failed the pre-issuance lint; nothing was signed.</summary>
    LintFailure,

    /// <summary>The issuing key could not sign (HSM gone, key provider error); nothing usable was issued.</summary>
    SigningFailed,
}
