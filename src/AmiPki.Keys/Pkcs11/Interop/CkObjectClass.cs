namespace AmiPki.Keys.Pkcs11.Interop;

/// <summary>CK_OBJECT_CLASS values (PKCS#11 v2.40 base specification §3.4).</summary>
internal enum CkObjectClass : ulong
{
    CKO_DATA = 0x0,
    CKO_CERTIFICATE = 0x1,
    CKO_PUBLIC_KEY = 0x2,
    CKO_PRIVATE_KEY = 0x3,
    CKO_SECRET_KEY = 0x4,
}
