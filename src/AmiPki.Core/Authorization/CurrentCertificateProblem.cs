namespace AmiPki.Core.Authorization;

/// <summary>Why a presented certificate is not a current AmiPki certificate; adapters map each to their protocol's error.</summary>
public enum CurrentCertificateProblem
{
    /// <summary>Not a DER certificate.</summary>
    Malformed,

    /// <summary>Not issued by one of this instance's CAs, or not byte for byte the certificate it recorded.</summary>
    NotIssuedHere,

    /// <summary>Revoked (or on hold).</summary>
    Revoked,

    /// <summary>Before notBefore or after notAfter.</summary>
    NotValidNow,
}
