namespace AmiPki.Core.Issuance;

/// <summary>How a requester proved who it is.</summary>
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

    /// <summary>A registration authority acting for others.</summary>
    RegistrationAuthority,
}
