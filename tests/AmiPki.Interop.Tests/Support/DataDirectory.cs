namespace AmiPki.Interop.Tests.Support;

/// <summary>A fresh data directory initialised with <c>amipki init</c> (no server), for CLI-level tests.</summary>
public sealed class DataDirectory : IDisposable
{
    private DataDirectory(string path)
    {
        Path = path;
    }

    public string Path { get; }

    public string Database => System.IO.Path.Combine(Path, "amipki.db");

    public string RootPem => System.IO.Path.Combine(Path, "test-root.pem");

    public string ChainPem => System.IO.Path.Combine(Path, "test-chain.pem");

    /// <summary>A scratch file path inside the directory.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    public static async Task<DataDirectory> InitAsync()
    {
        var directory = new DataDirectory(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "amipki-cli-" + Guid.NewGuid().ToString("N")[..12]));
        var init = await directory.CliAsync("init");
        Assert.That(init.ExitCode, Is.EqualTo(0), init.Describe());
        var chain = await directory.CliAsync("chain", "--out", directory.RootPem);
        Assert.That(chain.ExitCode, Is.EqualTo(0), chain.Describe());
        var full = await directory.CliAsync("chain", "--with-issuing", "--out", directory.ChainPem);
        Assert.That(full.ExitCode, Is.EqualTo(0), full.Describe());
        return directory;
    }

    public Task<ProcessResult> CliAsync(params string[] arguments) => AmiPkiServer.RunCliAsync(Path, arguments);

    public Task<ProcessResult> OpenSslAsync(params string[] arguments) =>
        ExternalProcess.RunAsync("openssl", arguments, null, TimeSpan.FromSeconds(60), null, Path);

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
