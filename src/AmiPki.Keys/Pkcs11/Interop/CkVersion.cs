using System.Runtime.InteropServices;

namespace AmiPki.Keys.Pkcs11.Interop;

/// <summary>CK_VERSION (PKCS#11 v2.40 base specification §3.1): two bytes, major then minor.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CkVersion
{
    public byte Major;
    public byte Minor;

    public override readonly string ToString() => $"{Major}.{Minor}";
}
