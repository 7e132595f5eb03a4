using System.Runtime.InteropServices;

namespace AmiPki.Keys.Pkcs11.Interop;

/// <summary>
/// CK_C_INITIALIZE_ARGS (PKCS#11 v2.40 base specification §3.7). AmiPki leaves the four mutex callbacks
/// null and sets CKF_OS_LOCKING_OK, which asks the library to be safe for concurrent calls from several
/// threads using the OS's primitives (§5.4 C_Initialize, case 2). 48 bytes on Linux x64.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CkCInitializeArgs
{
    public void* CreateMutex;
    public void* DestroyMutex;
    public void* LockMutex;
    public void* UnlockMutex;
    public CULong Flags;
    public void* Reserved;
}
