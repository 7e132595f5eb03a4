using System.Runtime.InteropServices;

namespace AmiPki.Keys.Tests.Pkcs11.Support;

/// <summary>
/// Sets an environment variable where native code sees it. On Unix, .NET's Environment.SetEnvironmentVariable
/// only changes the runtime's own copy, but SoftHSM2 reads SOFTHSM2_CONF with getenv(3).
/// </summary>
internal static partial class NativeEnvironment
{
    public static void Set(string name, string value)
    {
        Environment.SetEnvironmentVariable(name, value);
        if (setenv(name, value, 1) != 0)
        {
            throw new InvalidOperationException($"setenv({name}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
}
