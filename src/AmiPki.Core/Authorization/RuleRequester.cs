namespace AmiPki.Core.Authorization;

/// <summary>Which kind of authenticated requester an <see cref="AuthorizationRule"/> admits (profile files spell them in camelCase).</summary>
public enum RuleRequester
{
    /// <summary>A factory IDevID certificate chaining to a manufacturer trust anchor (IEEE 802.1AR), normally of a registered device.</summary>
    FactoryCertificate,

    /// <summary>An enrollment credential bound to this profile: EST account, CMP reference + secret, SCEP challenge.</summary>
    Credential,

    /// <summary>Renewal: the holder of a current, unrevoked AmiPki certificate of this profile (or of one naming it as successor).</summary>
    CurrentCertificate,

    /// <summary>A PKI admin at the CLI or through the admin API.</summary>
    Administrator,

    /// <summary>AmiPki itself, for its own operational certificates (responders, RA, TLS and CoAPS servers).</summary>
    Internal,

    /// <summary>
    /// A requester that proved nothing automatically and is authenticated out of band by an administrator who approves
    /// the held request (SCEP manual authentication, RFC 8894 §2.3); issued only once approved.
    /// </summary>
    ManualApproval,
}
