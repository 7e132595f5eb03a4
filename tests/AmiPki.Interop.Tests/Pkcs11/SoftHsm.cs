using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.Pkcs11;

/// <summary>
/// A private SoftHSM2 installation for this test run: a temporary token directory and a softhsm2.conf naming it, given to
/// every process through SOFTHSM2_CONF (and to this process through setenv, for the in-process test). Tokens are made
/// with the real softhsm2-util, one pair (root, online) per test, so key labels such as issuing-s1 never collide.
/// </summary>
internal static class SoftHsm
{
    public const string ModulePath = "/usr/lib/softhsm/libsofthsm2.so";

    public const string InstallHint = "install the test peers with `sudo apt-get install softhsm2 opensc` (or `make peers`)";

    private static string? _root;
    private static int _counter;

    public static string ConfigPath => Path.Combine(_root ?? throw new InvalidOperationException("SoftHSM2 is not set up"), "softhsm2.conf");

    public static void SetUp()
    {
        if (!File.Exists(ModulePath))
        {
            Assert.Fail($"SoftHSM2's PKCS#11 module {ModulePath} is missing: {InstallHint}");
        }
        foreach (var tool in new[] { "softhsm2-util", "pkcs11-tool", "openssl" })
        {
            var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
                .Any(directory => File.Exists(Path.Combine(directory, tool)));
            if (!found)
            {
                Assert.Fail($"'{tool}' is not installed: {InstallHint}");
            }
        }
        _root = Directory.CreateTempSubdirectory("amipki-interop-softhsm-").FullName;
        var tokens = Path.Combine(_root, "tokens");
        Directory.CreateDirectory(tokens);
        File.WriteAllText(ConfigPath, $"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n");
        NativeEnvironment.Set("SOFTHSM2_CONF", ConfigPath);
    }

    public static void TearDown()
    {
        if (_root is not null && Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>Initialises a fresh token in the next free slot (label at most 32 bytes, as CK_TOKEN_INFO allows).</summary>
    public static async Task<SoftHsmToken> CreateTokenAsync(string prefix)
    {
        var label = $"{prefix}-{Interlocked.Increment(ref _counter)}";
        var pin = "pin-" + label;
        var result = await ExternalProcess.RunAsync("softhsm2-util",
            ["--init-token", "--free", "--label", label, "--so-pin", "so-" + label, "--pin", pin], null, TimeSpan.FromSeconds(60),
            new Dictionary<string, string> { ["SOFTHSM2_CONF"] = ConfigPath });
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Describe());
        return new SoftHsmToken(label, pin);
    }

    /// <summary>
    /// The environment of an amipki process using <paramref name="online"/> (and <paramref name="root"/> for ceremonies):
    /// configuration through AMIPKI_Pkcs11__*, PINs through the default sources env:AMIPKI_PKCS11_PIN and env:AMIPKI_PKCS11_ROOT_PIN.
    /// </summary>
    public static Dictionary<string, string> ProcessEnvironment(SoftHsmToken online, SoftHsmToken? root = null, string? onlinePin = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["SOFTHSM2_CONF"] = ConfigPath,
            ["AMIPKI_Pkcs11__ModulePath"] = ModulePath,
            ["AMIPKI_Pkcs11__TokenLabel"] = online.Label,
            ["AMIPKI_PKCS11_PIN"] = onlinePin ?? online.UserPin,
        };
        if (root is not null)
        {
            environment["AMIPKI_Pkcs11__RootTokenLabel"] = root.Label;
            environment["AMIPKI_PKCS11_ROOT_PIN"] = root.UserPin;
        }
        return environment;
    }

    /// <summary>Labels of the private keys on a token, as opensc's pkcs11-tool lists them.</summary>
    public static async Task<string> ListPrivateKeysAsync(SoftHsmToken token)
    {
        var result = await ExternalProcess.RunAsync("pkcs11-tool",
            ["--module", ModulePath, "--token-label", token.Label, "--login", "--pin", token.UserPin, "--list-objects", "--type", "privkey"], null,
            TimeSpan.FromSeconds(60), new Dictionary<string, string> { ["SOFTHSM2_CONF"] = ConfigPath });
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Describe());
        return result.StandardOutput;
    }
}
