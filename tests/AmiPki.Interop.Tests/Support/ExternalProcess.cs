using System.ComponentModel;
using System.Diagnostics;

namespace AmiPki.Interop.Tests.Support;

/// <summary>
/// Runs a real peer (openssl, curl, coap-client-openssl, ...) with a time bound. A missing binary fails the test with
/// the Debian package to install: a skipped interop test proves nothing.
/// </summary>
public static class ExternalProcess
{
    private static readonly Dictionary<string, string> Packages = new(StringComparer.Ordinal)
    {
        ["openssl"] = "openssl",
        ["curl"] = "curl",
        ["coap-client-openssl"] = "libcoap3-bin",
        ["softhsm2-util"] = "softhsm2",
        ["pkcs11-tool"] = "opensc",
        ["scepclient"] = "scep",
        ["getcert"] = "certmonger",
    };

    public static async Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> arguments, byte[]? standardInput = null,
        TimeSpan? timeout = null, IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }
        }
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        }
        catch (Win32Exception e)
        {
            var package = Packages.GetValueOrDefault(Path.GetFileName(fileName), Path.GetFileName(fileName));
            throw new AssertionException($"{fileName} is not installed ({e.Message}): run `make test` (scripts/install-test-peers.sh) or `apt-get install {package}`");
        }
        using (process)
        {
            var output = new MemoryStream();
            var outputTask = process.StandardOutput.BaseStream.CopyToAsync(output);
            var errorTask = process.StandardError.ReadToEndAsync();
            if (standardInput is not null)
            {
                await process.StandardInput.BaseStream.WriteAsync(standardInput);
            }
            process.StandardInput.Close();
            using var cancellation = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
            try
            {
                await process.WaitForExitAsync(cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new AssertionException($"{fileName} {string.Join(' ', start.ArgumentList)} did not finish within {timeout ?? TimeSpan.FromSeconds(60)}");
            }
            await outputTask;
            var bytes = output.ToArray();
            return new ProcessResult(fileName, process.ExitCode, System.Text.Encoding.UTF8.GetString(bytes), await errorTask, bytes);
        }
    }

    public static Task<ProcessResult> RunAsync(string fileName, params string[] arguments) => RunAsync(fileName, arguments, null);

    /// <summary>Runs and asserts exit code 0, returning the result.</summary>
    public static async Task<ProcessResult> RunCheckedAsync(string fileName, params string[] arguments)
    {
        var result = await RunAsync(fileName, arguments, null);
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Describe());
        return result;
    }
}
