namespace AmiPki.Keys.Pkcs11.Interop;

/// <summary>CK_ATTRIBUTE_TYPE values used by AmiPki (PKCS#11 v2.40 base specification §4 and pkcs11t.h).</summary>
internal enum CkAttributeType : ulong
{
    CKA_CLASS = 0x0,
    CKA_TOKEN = 0x1,
    CKA_PRIVATE = 0x2,
    CKA_LABEL = 0x3,
    CKA_VALUE = 0x11,
    CKA_KEY_TYPE = 0x100,
    CKA_ID = 0x102,
    CKA_SENSITIVE = 0x103,
    CKA_ENCRYPT = 0x104,
    CKA_DECRYPT = 0x105,
    CKA_WRAP = 0x106,
    CKA_UNWRAP = 0x107,
    CKA_SIGN = 0x108,
    CKA_SIGN_RECOVER = 0x109,
    CKA_VERIFY = 0x10A,
    CKA_VERIFY_RECOVER = 0x10B,
    CKA_DERIVE = 0x10C,
    CKA_MODULUS = 0x120,
    CKA_MODULUS_BITS = 0x121,
    CKA_PUBLIC_EXPONENT = 0x122,
    CKA_PRIVATE_EXPONENT = 0x123,
    CKA_EXTRACTABLE = 0x162,
    CKA_LOCAL = 0x163,
    CKA_NEVER_EXTRACTABLE = 0x164,
    CKA_ALWAYS_SENSITIVE = 0x165,
    CKA_EC_PARAMS = 0x180,
    CKA_EC_POINT = 0x181,
}
