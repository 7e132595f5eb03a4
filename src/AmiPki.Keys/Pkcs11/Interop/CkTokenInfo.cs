using System.Runtime.InteropServices;
using System.Text;

namespace AmiPki.Keys.Pkcs11.Interop;

/// <summary>
/// CK_TOKEN_INFO (PKCS#11 v2.40 base specification §3.2). Natural alignment: the four character arrays
/// fill 96 bytes, so flags starts at offset 96 on Linux x64 and the struct is 208 bytes (utcTime ends at
/// 204, padded to 8). Strings are blank-padded UTF-8 and not NUL-terminated.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CkTokenInfo
{
    public fixed byte Label[32];
    public fixed byte ManufacturerId[32];
    public fixed byte Model[16];
    public fixed byte SerialNumber[16];
    public CULong Flags;
    public CULong MaxSessionCount;
    public CULong SessionCount;
    public CULong MaxRwSessionCount;
    public CULong RwSessionCount;
    public CULong MaxPinLength;
    public CULong MinPinLength;
    public CULong TotalPublicMemory;
    public CULong FreePublicMemory;
    public CULong TotalPrivateMemory;
    public CULong FreePrivateMemory;
    public CkVersion HardwareVersion;
    public CkVersion FirmwareVersion;
    public fixed byte UtcTime[16];

    /// <summary>The token label with its blank padding removed (§3.2: "padded with the blank character").</summary>
    public readonly string LabelText
    {
        get
        {
            fixed (byte* label = Label)
            {
                return Encoding.UTF8.GetString(label, 32).TrimEnd(' ', '\0');
            }
        }
    }

    public readonly string SerialNumberText
    {
        get
        {
            fixed (byte* serial = SerialNumber)
            {
                return Encoding.UTF8.GetString(serial, 16).TrimEnd(' ', '\0');
            }
        }
    }
}
