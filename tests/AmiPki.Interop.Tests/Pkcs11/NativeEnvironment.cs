using System.Runtime.InteropServices;

namespace AmiPki.Interop.Tests.Pkcs11;

/// <summary>
/// Sets an environment variable where native code sees it. On Unix, .NET's Environment.SetEnvironmentVariable only changes
/// the runtime's own copy, but SoftHSM2 (loaded in-process by the concurrency test) reads SOFTHSM2_CONF with getenv(3).
/// </summary>
internal static class NativeEnvironment
{
    public static void Set(string name, string value)
    {
        Environment.SetEnvironmentVariable(name, value);
        if (setenv(name, value, 1) != 0)
        {
            throw new InvalidOperationException($"setenv({name}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    // DllImport rather than LibraryImport: the source-generated form needs AllowUnsafeBlocks in this test project.
#pragma warning disable SYSLIB1054
    [DllImport("libc", SetLastError = true)]
    private static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
#pragma warning restore SYSLIB1054
}
