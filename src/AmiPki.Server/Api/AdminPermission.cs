namespace AmiPki.Server.Api;

/// <summary>What an admin API endpoint needs; each <see cref="AdminRole"/> holds the permissions up to its own rank.</summary>
public enum AdminPermission
{
    /// <summary>Reading anything (every role).</summary>
    Read,

    /// <summary>Day-to-day changes on single items: revoke one, approve/reject, import devices, publish CRLs (operator, administrator).</summary>
    Operate,

    /// <summary>Changes that reach many certificates or grant enrollment: bulk revocation, enrollment credentials (administrator).</summary>
    Administer,
}
