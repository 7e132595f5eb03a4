using System.Runtime.InteropServices;

namespace AmiPki.Keys.Pkcs11.Interop;

/// <summary>
/// CK_ATTRIBUTE (PKCS#11 v2.40 base specification §3.4, pkcs11t.h). Natural alignment, not packed: §2.1
/// asks for 1-byte packing on Windows only, and Unix modules (SoftHSM2, OpenSC) are built without it, so on
/// x64 this is 24 bytes: type (8), pValue (8), ulValueLen (8). CULong is C's unsigned long, 8 bytes
/// on 64-bit Unix.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CkAttribute
{
    public CULong Type;
    public void* Value;
    public CULong ValueLength;
}
