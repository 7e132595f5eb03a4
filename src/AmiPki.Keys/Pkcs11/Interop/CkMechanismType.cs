namespace AmiPki.Keys.Pkcs11.Interop;

/// <summary>CK_MECHANISM_TYPE values used by AmiPki (PKCS#11 v2.40 current mechanisms specification §2.1, §2.3).</summary>
internal enum CkMechanismType : ulong
{
    CKM_RSA_PKCS_KEY_PAIR_GEN = 0x0,
    CKM_RSA_PKCS = 0x1,
    CKM_EC_KEY_PAIR_GEN = 0x1040,
    CKM_ECDSA = 0x1041,
}
