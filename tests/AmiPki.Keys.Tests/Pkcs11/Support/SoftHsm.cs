using AmiPki.Keys.Pkcs11;
using NUnit.Framework;

namespace AmiPki.Keys.Tests.Pkcs11.Support;

/// <summary>
/// A private SoftHSM2 installation for this test run: a temporary token directory, a softhsm2.conf
/// pointing at it through SOFTHSM2_CONF, and tokens initialised with the real softhsm2-util.
/// Set up once for every test under AmiPki.Keys.Tests.Pkcs11 by <see cref="Pkcs11TestSetup"/>.
/// </summary>
internal static class SoftHsm
{
    public const string ModulePath = "/usr/lib/softhsm/libsofthsm2.so";

    /// <summary>The environment variable the providers under test read their PIN from.</summary>
    public const string PinVariable = "AMIPKI_TEST_PKCS11_PIN";

    private static string? _root;
    private static string? _tokenDirectory;
    private static int _tokenCounter;

    public static string Root => _root ?? throw new InvalidOperationException("SoftHSM2 is not set up");

    public static string SoftHsmUtil { get; private set; } = "";

    public static string Pkcs11Tool { get; private set; } = "";

    public static string OpenSsl { get; private set; } = "";

    /// <summary>The token most tests generate keys on.</summary>
    public static SoftHsmToken Main { get; private set; } = null!;

    public static void SetUp()
    {
        if (!File.Exists(ModulePath))
        {
            Assert.Fail($"SoftHSM2's PKCS#11 module {ModulePath} is missing: {ExternalTool.InstallHint}");
        }
        SoftHsmUtil = ExternalTool.Require("softhsm2-util");
        Pkcs11Tool = ExternalTool.Require("pkcs11-tool");
        OpenSsl = ExternalTool.Require("openssl");

        _root = Directory.CreateTempSubdirectory("amipki-softhsm-").FullName;
        _tokenDirectory = Path.Combine(_root, "tokens");
        Directory.CreateDirectory(_tokenDirectory);
        var config = Path.Combine(_root, "softhsm2.conf");
        File.WriteAllText(config, $"""
            directories.tokendir = {_tokenDirectory}
            objectstore.backend = file
            log.level = ERROR
            slots.removable = false
            """ + "\n");
        NativeEnvironment.Set("SOFTHSM2_CONF", config);

        Main = CreateToken("amipki-test");
    }

    public static void TearDown()
    {
        if (_root is not null && Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>
    /// Initialises a fresh token in the next free slot. SoftHSM2 scans its token directory at C_Initialize,
    /// so a provider sees tokens created while no provider held the module initialised.
    /// </summary>
    public static SoftHsmToken CreateToken(string labelPrefix)
    {
        var label = $"{labelPrefix}-{Interlocked.Increment(ref _tokenCounter)}";
        var pin = "user-" + label;
        var soPin = "so-" + label;
        var before = Directory.GetDirectories(_tokenDirectory!).ToHashSet();
        var result = ExternalTool.Run(SoftHsmUtil, "--init-token", "--free", "--label", label, "--so-pin", soPin, "--pin", pin);
        Assert.That(result.ExitCode, Is.Zero, $"softhsm2-util --init-token failed: {result}");
        var created = Directory.GetDirectories(_tokenDirectory!).Where(d => !before.Contains(d)).ToList();
        Assert.That(created, Has.Count.EqualTo(1), "softhsm2-util created no token directory");
        return new SoftHsmToken(label, pin, soPin, created[0]);
    }

    /// <summary>A provider on <paramref name="token"/>, its PIN taken from <see cref="PinVariable"/>.</summary>
    public static Pkcs11KeyProvider Provider(SoftHsmToken token, int poolSize = 4, string? pin = null)
    {
        Environment.SetEnvironmentVariable(PinVariable, pin ?? token.UserPin);
        return new Pkcs11KeyProvider(new Pkcs11ProviderOptions
        {
            ModulePath = ModulePath,
            TokenLabel = token.Label,
            PinSource = Pkcs11PinSource.FromEnvironment(PinVariable),
            SessionPoolSize = poolSize,
        });
    }

    /// <summary>A key label no other test uses.</summary>
    public static string UniqueLabel(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];
}
