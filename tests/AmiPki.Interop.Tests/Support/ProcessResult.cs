namespace AmiPki.Interop.Tests.Support;

/// <summary>What a finished process printed and returned.</summary>
public sealed record ProcessResult(string FileName, int ExitCode, string StandardOutput, string StandardError, byte[] StandardOutputBytes)
{
    public string Describe() => $"{FileName} exited {ExitCode}\nstdout: {StandardOutput}\nstderr: {StandardError}";
}
