using System.Runtime.InteropServices;

namespace AmiPki.Keys.Pkcs11.Interop;

/// <summary>
/// CK_MECHANISM (PKCS#11 v2.40 base specification §3.5). Natural alignment (see <see cref="CkAttribute"/>):
/// 24 bytes on Linux x64. AmiPki's mechanisms (CKM_ECDSA, CKM_RSA_PKCS and the key-pair generators) take
/// no parameter.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CkMechanism
{
    public CULong Mechanism;
    public void* Parameter;
    public CULong ParameterLength;
}
