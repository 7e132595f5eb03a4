namespace AmiPki.Keys.Pkcs11.Interop;

/// <summary>CK_KEY_TYPE values (PKCS#11 v2.40 base specification §3.4; CKK_EC is also named CKK_ECDSA).</summary>
internal enum CkKeyType : ulong
{
    CKK_RSA = 0x0,
    CKK_EC = 0x3,
}
