using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using AmiPki.Keys.Pkcs11.Interop;
using NUnit.Framework;

namespace AmiPki.Keys.Tests.Pkcs11.Interop;

/// <summary>
/// The layouts pkcs11t.h gives on Linux x64 (natural alignment, CK_ULONG = 8 bytes). A wrong size here
/// would not fail loudly at run time; the module would read garbage.
/// </summary>
public sealed class StructLayoutTests
{
    [Test]
    public void CK_ULONG_is_eight_bytes_on_64_bit_Linux()
    {
        Assume.That(OperatingSystem.IsLinux() && Environment.Is64BitProcess, "layouts below are those of 64-bit Linux");
        Assert.That(Unsafe.SizeOf<CULong>(), Is.EqualTo(8));
    }

    [Test]
    public void CK_ATTRIBUTE_and_CK_MECHANISM_are_24_bytes()
    {
        Assert.That(Unsafe.SizeOf<CkAttribute>(), Is.EqualTo(24));
        Assert.That(Marshal.OffsetOf<CkAttribute>(nameof(CkAttribute.Value)), Is.EqualTo((nint)8));
        Assert.That(Marshal.OffsetOf<CkAttribute>(nameof(CkAttribute.ValueLength)), Is.EqualTo((nint)16));
        Assert.That(Unsafe.SizeOf<CkMechanism>(), Is.EqualTo(24));
    }

    [Test]
    public void CK_TOKEN_INFO_is_208_bytes_with_flags_at_96()
    {
        Assert.That(Unsafe.SizeOf<CkTokenInfo>(), Is.EqualTo(208));
        Assert.That(Marshal.OffsetOf<CkTokenInfo>(nameof(CkTokenInfo.Flags)), Is.EqualTo((nint)96));
        Assert.That(Marshal.OffsetOf<CkTokenInfo>(nameof(CkTokenInfo.HardwareVersion)), Is.EqualTo((nint)184));
        Assert.That(Marshal.OffsetOf<CkTokenInfo>(nameof(CkTokenInfo.UtcTime)), Is.EqualTo((nint)188));
    }

    [Test]
    public void CK_C_INITIALIZE_ARGS_is_48_bytes_and_CK_VERSION_2()
    {
        Assert.That(Unsafe.SizeOf<CkCInitializeArgs>(), Is.EqualTo(48));
        Assert.That(Marshal.OffsetOf<CkCInitializeArgs>(nameof(CkCInitializeArgs.Flags)), Is.EqualTo((nint)32));
        Assert.That(Unsafe.SizeOf<CkVersion>(), Is.EqualTo(2));
    }

    [Test]
    public void Return_values_are_described_by_their_specification_names()
    {
        Assert.That(Pkcs11CallException.Describe(CkRv.CKR_PIN_INCORRECT), Is.EqualTo("CKR_PIN_INCORRECT"));
        Assert.That(Pkcs11CallException.Describe((CkRv)0xA0), Is.EqualTo("CKR_PIN_INCORRECT"));
        Assert.That(Pkcs11CallException.Describe((CkRv)0x80000123), Is.EqualTo("0x80000123"));
        Assert.That(new Pkcs11CallException("C_Login", CkRv.CKR_PIN_INCORRECT).Message, Is.EqualTo("C_Login failed: CKR_PIN_INCORRECT"));
    }
}
