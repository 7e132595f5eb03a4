using System.Diagnostics;
using System.Runtime.InteropServices;

namespace AmiPki.Bench;

/// <summary>
/// A SoftHSM2 token in a temporary directory, made with the real softhsm2-util; SOFTHSM2_CONF is set through libc, where
/// the module (loaded into this process) reads it. Disposing deletes the directory.
/// </summary>
public sealed class Pkcs11BenchToken : IDisposable
{
    public const string ModulePath = "/usr/lib/softhsm/libsofthsm2.so";

    private Pkcs11BenchToken(string directory, string label, string pin)
    {
        Directory = directory;
        Label = label;
        Pin = pin;
    }

    public string Directory { get; }

    public string Label { get; }

    public string Pin { get; }

    /// <summary>Null, with the reason in <paramref name="missing"/>, when softhsm2 is not installed.</summary>
    public static Pkcs11BenchToken? TryCreate(out string? missing)
    {
        missing = !File.Exists(ModulePath) ? ModulePath
            : !(Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, "softhsm2-util"))) ? "softhsm2-util"
            : null;
        if (missing is not null)
        {
            return null;
        }
        var directory = System.IO.Directory.CreateTempSubdirectory("amipki-bench-softhsm-").FullName;
        var tokens = Path.Combine(directory, "tokens");
        System.IO.Directory.CreateDirectory(tokens);
        var config = Path.Combine(directory, "softhsm2.conf");
        File.WriteAllText(config, $"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n");
        Environment.SetEnvironmentVariable("SOFTHSM2_CONF", config);
        if (setenv("SOFTHSM2_CONF", config, 1) != 0)
        {
            throw new InvalidOperationException("setenv(SOFTHSM2_CONF) failed");
        }
        const string label = "amipki-bench";
        var pin = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        var start = new ProcessStartInfo("softhsm2-util") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "--init-token", "--free", "--label", label, "--so-pin", "so-" + pin, "--pin", pin })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start softhsm2-util");
        var error = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"softhsm2-util --init-token failed: {error.Result}");
        }
        return new Pkcs11BenchToken(directory, label, pin);
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

#pragma warning disable SYSLIB1054 // DllImport: LibraryImport would need AllowUnsafeBlocks in the bench project.
    [DllImport("libc", SetLastError = true)]
    private static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
#pragma warning restore SYSLIB1054
}
