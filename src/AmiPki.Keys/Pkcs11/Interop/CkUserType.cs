namespace AmiPki.Keys.Pkcs11.Interop;

/// <summary>CK_USER_TYPE values (PKCS#11 v2.40 base specification §3.3).</summary>
internal enum CkUserType : ulong
{
    CKU_SO = 0,
    CKU_USER = 1,
}
