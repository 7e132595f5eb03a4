using System.Diagnostics;
using NUnit.Framework;

namespace AmiPki.Coap.Tests.Support;

/// <summary>Runs a real peer binary (coap-client-openssl, openssl) with a hard time bound.</summary>
public static class PeerProcess
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError, byte[] RawOutput)
    {
        public string AllOutput => StandardOutput + StandardError;
    }

    /// <summary>Fails the test (never skips) when the binary is missing, naming the Debian package.</summary>
    public static string Require(string binary, string debianPackage)
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':'))
        {
            string candidate = Path.Combine(directory, binary);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Fail($"{binary} is not installed: install it with `apt-get install {debianPackage}` (listed in scripts/test-peers.txt)");
        throw new InvalidOperationException("unreachable");
    }

    public static async Task<Result> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout, byte[]? standardInput = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {fileName}");
        var output = new MemoryStream();
        var outputCopy = process.StandardOutput.BaseStream.CopyToAsync(output);
        var errorRead = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(standardInput);
        }

        process.StandardInput.Close();
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            await outputCopy;
            Assert.Fail($"{Path.GetFileName(fileName)} {string.Join(' ', start.ArgumentList)} did not finish within {timeout}: " +
                $"{System.Text.Encoding.UTF8.GetString(output.ToArray())} {await errorRead}");
        }

        await outputCopy;
        byte[] raw = output.ToArray();
        return new Result(process.ExitCode, System.Text.Encoding.UTF8.GetString(raw), await errorRead, raw);
    }
}
