namespace AmiPki.Core.Authorization;

/// <summary>What an <see cref="AuthorizationRule"/> binds the requested subject to.</summary>
public enum SubjectBinding
{
    /// <summary>Whatever the profile's subject rules allow. Only for administrators, AmiPki itself, and explicitly unbound credentials.</summary>
    Any,

    /// <summary>CN = the system title the device registry holds for this factory certificate (IEC 62056-5-3).</summary>
    SystemTitle,

    /// <summary>The subject the credential is bound to, when it is bound to one; any subject the profile allows otherwise.</summary>
    Credential,

    /// <summary>The credential must be bound to one subject, and the request must ask for exactly it.</summary>
    CredentialRequired,

    /// <summary>The subject and subject alternative names of the certificate being renewed, unchanged (RFC 7030 §4.2.2, RFC 4210 §5.3.5).</summary>
    Renewed,
}
