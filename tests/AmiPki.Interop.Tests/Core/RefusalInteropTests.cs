using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.Core;

/// <summary>Bad CSRs made by openssl are refused by `amipki issue` with the typed refusal, and nothing is stored.</summary>
public sealed class RefusalInteropTests
{
    private DataDirectory _data = null!;

    [OneTimeSetUp]
    public async Task Init() => _data = await DataDirectory.InitAsync();

    [OneTimeTearDown]
    public void Cleanup() => _data.Dispose();

    private async Task<string> Csr(string name, string[] keyArguments, string subject)
    {
        var csr = _data.File(name + ".csr");
        var result = await _data.OpenSslAsync(["req", "-new", .. keyArguments, "-subj", subject, "-out", csr]);
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Describe());
        return csr;
    }

    private async Task<string> KeyFile(string name, params string[] genArguments)
    {
        var key = _data.File(name + ".key");
        var result = await _data.OpenSslAsync([.. genArguments, "-out", key]);
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Describe());
        return key;
    }

    private async Task AssertRefused(string csr, string profile, string refusal, string reasonFragment)
    {
        var issue = await _data.CliAsync("issue", "--profile", profile, "--csr", csr, "--out", _data.File("never.pem"));
        Assert.That(issue.ExitCode, Is.EqualTo(3), issue.Describe());
        Assert.That(issue.StandardError, Does.StartWith($"amipki: refused ({refusal}):"), issue.Describe());
        Assert.That(issue.StandardError, Does.Contain(reasonFragment).IgnoreCase, issue.Describe());
        Assert.That(issue.StandardError.TrimEnd().Split('\n'), Has.Length.EqualTo(1), "one clear line");
        Assert.That(File.Exists(_data.File("never.pem")), Is.False);
    }

    [Test]
    public async Task Explicit_curve_parameters_are_refused()
    {
        var key = await KeyFile("explicit", "ecparam", "-name", "prime256v1", "-param_enc", "explicit", "-genkey", "-noout");
        await AssertRefused(await Csr("explicit", ["-key", key], "/CN=4D4D4D0000BC614E"), "meter-s1-signing", "KeyNotAllowed", "explicit curve");
    }

    [Test]
    public async Task RSA_1024_is_refused()
    {
        var key = await KeyFile("rsa1024", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024");
        await AssertRefused(await Csr("rsa1024", ["-key", key], "/CN=legacy-gear"), "scep-ra", "KeyNotAllowed", "RSA-1024");
    }

    [Test]
    public async Task A_curve_the_profile_forbids_is_refused()
    {
        var key = await KeyFile("p384", "ecparam", "-name", "secp384r1", "-genkey", "-noout");
        await AssertRefused(await Csr("p384", ["-key", key], "/CN=4D4D4D0000BC614E"), "meter-s1-signing", "KeyNotAllowed", "EcP384");
    }

    [Test]
    public async Task A_CN_that_is_not_a_system_title_is_refused()
    {
        var key = await KeyFile("cn", "ecparam", "-name", "prime256v1", "-genkey", "-noout");
        await AssertRefused(await Csr("cn", ["-key", key], "/CN=meter-0042"), "meter-s1-signing", "ProfileViolation", "system title");
    }

    [Test]
    public async Task A_bad_signature_is_refused()
    {
        var key = await KeyFile("badsig", "ecparam", "-name", "prime256v1", "-genkey", "-noout");
        var pem = await Csr("badsig", ["-key", key], "/CN=4D4D4D0000BC614E");
        var der = _data.File("badsig.der");
        Assert.That((await _data.OpenSslAsync("req", "-in", pem, "-outform", "DER", "-out", der)).ExitCode, Is.EqualTo(0));
        var bytes = await File.ReadAllBytesAsync(der);
        bytes[^3] ^= 0x01; // inside the signature's s value
        await File.WriteAllBytesAsync(der, bytes);
        await AssertRefused(der, "meter-s1-signing", "BadProofOfPossession", "does not verify");
    }

    [Test]
    public async Task Malformed_DER_is_refused()
    {
        var file = _data.File("garbage.der");
        await File.WriteAllBytesAsync(file, [0x30, 0x82, 0x01, 0x00, 0x02, 0x01]);
        await AssertRefused(file, "meter-s1-signing", "MalformedRequest", "DER");
    }

    [Test, Order(100)]
    public async Task After_every_refusal_nothing_is_stored_and_each_attempt_is_audited()
    {
        var list = await _data.CliAsync("list");
        Assert.That(list.ExitCode, Is.EqualTo(0), list.Describe());
        Assert.That(list.StandardOutput, Does.Contain("0 certificate(s)"));
        var verify = await _data.CliAsync("audit", "verify");
        Assert.That(verify.ExitCode, Is.EqualTo(0), verify.Describe());
        Assert.That(verify.StandardOutput, Does.Match(@"audit log intact: \d+ entries verified"));
    }
}
