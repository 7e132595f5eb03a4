using AmiPki.Core.Issuance;
using AmiPki.Core.Keys;
using AmiPki.Core.Profiles;

namespace AmiPki.Cli.Commands;

/// <summary>Runs a command body and turns any failure into one clear line on stderr and a non-zero exit code.</summary>
public static class CommandRunner
{
    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (IssuanceRefusal refusal)
        {
            return Fail($"refused ({refusal.Kind}): {refusal.Reason}", 3);
        }
        catch (ProfileLoadException e)
        {
            return Fail(e.Message, 2);
        }
        catch (Exception e) when (e is KeyProviderException or InvalidOperationException or IOException or UnauthorizedAccessException
                                      or FormatException or ArgumentException or System.Security.Cryptography.CryptographicException)
        {
            return Fail(e.Message, 1);
        }
        catch (OperationCanceledException)
        {
            return Fail("cancelled", 130);
        }
    }

    public static int Fail(string message, int code = 1)
    {
        Console.Error.WriteLine($"amipki: {message.ReplaceLineEndings(" ")}");
        return code;
    }
}
