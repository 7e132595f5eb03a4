using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.Pkcs11;

/// <summary>A scratch data directory for one PKCS#11 test, and the amipki and openssl commands run in it.</summary>
internal sealed class Pkcs11Cli : IDisposable
{
    public Pkcs11Cli()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "amipki-p11-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public Task<ProcessResult> AmiPkiAsync(IDictionary<string, string> environment, params string[] arguments) =>
        AmiPkiServer.RunCliWithEnvironmentAsync(Path, environment, arguments);

    public async Task<ProcessResult> AmiPkiCheckedAsync(IDictionary<string, string> environment, params string[] arguments)
    {
        var result = await AmiPkiAsync(environment, arguments);
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Describe());
        return result;
    }

    public Task<ProcessResult> OpenSslAsync(params string[] arguments) =>
        ExternalProcess.RunAsync("openssl", arguments, null, TimeSpan.FromSeconds(60), null, Path);

    /// <summary>A meter CSR made by openssl (its own key, curve P-256 or P-384), CN = a DLMS system title.</summary>
    public async Task<string> MeterCsrAsync(string name, string systemTitle, string curve = "P-256")
    {
        var csr = File(name + ".csr");
        var request = await OpenSslAsync("req", "-new", "-newkey", "ec", "-pkeyopt", $"ec_paramgen_curve:{curve}", "-nodes",
            "-keyout", File(name + ".key"), "-subj", "/CN=" + systemTitle, "-out", csr);
        Assert.That(request.ExitCode, Is.EqualTo(0), request.Describe());
        return csr;
    }

    /// <summary>Asserts a failed command printed exactly one line, naming the token and the PKCS#11 return code.</summary>
    public static void AssertOneLineError(ProcessResult result, string tokenLabel, string returnCode)
    {
        Assert.That(result.ExitCode, Is.Not.EqualTo(0), result.Describe());
        var lines = result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.That(lines, Has.Length.EqualTo(1), result.Describe());
        Assert.That(lines[0], Does.Contain($"'{tokenLabel}'").And.Contain(returnCode), result.Describe());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: it is a temp directory.
        }
    }
}
