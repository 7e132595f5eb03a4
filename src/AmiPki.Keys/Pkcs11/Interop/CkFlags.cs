namespace AmiPki.Keys.Pkcs11.Interop;

/// <summary>
/// CK_FLAGS bits AmiPki passes or reads. The same CK_FLAGS type carries unrelated bit sets
/// (C_Initialize arguments, session flags, token flags), so the names say which one each belongs to.
/// </summary>
internal static class CkFlags
{
    /// <summary>CK_C_INITIALIZE_ARGS: the library may use the OS's own locking (v2.40 §5.4, C_Initialize).</summary>
    public const ulong CKF_OS_LOCKING_OK = 0x2;

    /// <summary>C_OpenSession: a read/write session, needed to create token objects (v2.40 §5.6).</summary>
    public const ulong CKF_RW_SESSION = 0x2;

    /// <summary>C_OpenSession: must always be set for backward compatibility (v2.40 §5.6).</summary>
    public const ulong CKF_SERIAL_SESSION = 0x4;

    /// <summary>CK_TOKEN_INFO.flags: the token requires C_Login before private objects are usable (v2.40 §3.2).</summary>
    public const ulong CKF_LOGIN_REQUIRED = 0x4;

    /// <summary>CK_TOKEN_INFO.flags: the normal user's PIN has been set (v2.40 §3.2).</summary>
    public const ulong CKF_USER_PIN_INITIALIZED = 0x8;

    /// <summary>CK_TOKEN_INFO.flags: the token has been initialised by C_InitToken (v2.40 §3.2).</summary>
    public const ulong CKF_TOKEN_INITIALIZED = 0x400;
}
