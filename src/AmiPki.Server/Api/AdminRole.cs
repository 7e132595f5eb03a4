namespace AmiPki.Server.Api;

/// <summary>
/// The admin API's roles. A role is the profile AmiPki issued the admin's client certificate under
/// (<see cref="ProfilePrefix"/> + role: <c>admin-administrator</c>, <c>admin-operator</c>, <c>admin-auditor</c>), read
/// from AmiPki's own certificate record — not from a subject field the requester wrote into the CSR. So whoever issues
/// the certificate (<c>amipki issue --profile admin-operator</c>, a CLI-only profile) chooses the role, and revoking
/// the certificate takes the role away at the next call.
/// </summary>
public enum AdminRole
{
    /// <summary>Reads everything: certificates, devices, credentials (never secrets), requests, CAs, CRLs, audit.</summary>
    Auditor,

    /// <summary>An auditor who may also revoke one certificate, decide pending requests, import devices and publish CRLs.</summary>
    Operator,

    /// <summary>An operator who may also revoke in bulk and create or delete enrollment credentials.</summary>
    Administrator,
}
