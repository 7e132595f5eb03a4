using System.Diagnostics;
using NUnit.Framework;

namespace AmiPki.Keys.Tests.Pkcs11.Support;

/// <summary>Runs a real command-line tool (softhsm2-util, pkcs11-tool, openssl) and captures its output.</summary>
internal static class ExternalTool
{
    public const string InstallHint = "install the test peers with `sudo apt-get install softhsm2 opensc openssl` (see scripts/test-peers.txt)";

    /// <summary>Fails the test (never skips) when <paramref name="name"/> is not on PATH.</summary>
    public static string Require(string name)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
        if (path is null)
        {
            Assert.Fail($"'{name}' is not installed: {InstallHint}");
        }
        return path!;
    }

    public static ToolResult Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // A guard against a hung tool, not a timing assertion: these commands take well under a second.
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', arguments)} did not finish");
        }
        process.WaitForExit();
        return new ToolResult(process.ExitCode, stdout.Result, stderr.Result);
    }
}
