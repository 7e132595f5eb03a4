using System.Runtime.InteropServices;

namespace AmiPki.Keys.Pkcs11;

/// <summary>
/// A session handle lent out by <see cref="Pkcs11SessionPool"/>, stamped with the pool generation and
/// module epoch it was opened in, so a handle from before a reconnect is never reused or closed by mistake
/// (handle numbers are reused after C_Finalize/C_Initialize).
/// </summary>
internal readonly record struct Pkcs11Session(CULong Handle, int Generation, int ModuleEpoch);
