using System.Globalization;
using System.Text.RegularExpressions;
using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.Core;

/// <summary>
/// Settings given the documented way, <c>AMIPKI_&lt;Section&gt;__&lt;Key&gt;</c>, reach every section the web host binds: one
/// real <c>amipki serve</c> with a setting per protocol section, each observed through a real client (openssl cmp, curl,
/// openssl ocsp/crl) and in <c>amipki config show</c>; a misspelt key is warned about with the nearest known one; a bad
/// value stops start-up naming the key; <c>config show</c> never prints the key passphrase.
/// </summary>
[CancelAfter(600_000)]
public sealed partial class ConfigurationInteropTests
{
    private const int ConfirmWaitSeconds = 4;
    private const int OcspMaxAgeSeconds = 7;
    private const string Realm = "Configured EST realm";

    private static readonly Dictionary<string, string> Settings = new()
    {
        ["AMIPKI_Cmp__ConfirmWaitSeconds"] = ConfirmWaitSeconds.ToString(CultureInfo.InvariantCulture),
        ["AMIPKI_Cmp__SweepIntervalSeconds"] = "1",
        ["AMIPKI_Scep__EnableDes3"] = "true",
        ["AMIPKI_Est__Realm"] = Realm,
        ["AMIPKI_Ocsp__HttpMaxAgeSeconds"] = OcspMaxAgeSeconds.ToString(CultureInfo.InvariantCulture),
        ["AMIPKI_Crl__FullValidity"] = "03:00:00",
        // A typo: warned about, not silently ignored.
        ["AMIPKI_Cmp__ConfirmWaitSecond"] = "9",
    };

    private AmiPkiServer _server = null!;
    private string _work = null!;

    private string File(string name) => Path.Combine(_work, name);

    [OneTimeSetUp]
    public async Task Start()
    {
        _server = await AmiPkiServer.StartAsync(https: true, environment: Settings);
        _work = Path.Combine(_server.DataDirectory, "configuration");
        Directory.CreateDirectory(_work);
    }

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    [Test]
    public async Task Config_show_names_each_value_and_the_variable_it_came_from_and_redacts_the_passphrase()
    {
        var show = await _server.CliAsync("config", "show");
        Assert.That(show.ExitCode, Is.EqualTo(0), show.Describe());
        var lines = show.StandardOutput.Split('\n');
        string Line(string key) => lines.Single(l => l.StartsWith(key + " = ", StringComparison.Ordinal));
        Assert.That(Line("AmiPki:Cmp:ConfirmWaitSeconds"), Does.Contain("= 4 ").And.Contain("[environment AMIPKI_Cmp__ConfirmWaitSeconds]"));
        Assert.That(Line("AmiPki:Scep:EnableDes3"), Does.Contain("= true ").And.Contain("[environment AMIPKI_Scep__EnableDes3]"));
        Assert.That(Line("AmiPki:Crl:FullValidity"), Does.Contain("= 03:00:00 ").And.Contain("[environment AMIPKI_Crl__FullValidity]"));
        Assert.That(Line("AmiPki:Est:RetryAfterSeconds"), Does.Contain("= 60 ").And.Contain("[default]"));
        Assert.That(Line("AmiPki:DataDirectory"), Does.Contain("[command line --data]"));
        Assert.That(Line("AmiPki:KeyPassphrase"), Does.Contain("(redacted)").And.Contain("[environment AMIPKI_KEY_PASSPHRASE]"));
        Assert.That(show.StandardOutput + show.StandardError, Does.Not.Contain(AmiPkiServer.TestKeyPassphrase));
        Assert.That(show.StandardError, Does.Contain("unknown setting AmiPki:Cmp:ConfirmWaitSecond (environment AMIPKI_Cmp__ConfirmWaitSecond)")
            .And.Contain("did you mean AmiPki:Cmp:ConfirmWaitSeconds?"), show.Describe());
    }

    [Test]
    public void A_misspelt_key_is_warned_about_at_start_up_with_the_nearest_known_one()
    {
        Assert.That(_server.Log, Does.Contain("warning: unknown setting AmiPki:Cmp:ConfirmWaitSecond (environment AMIPKI_Cmp__ConfirmWaitSecond) is ignored; " +
                                              "did you mean AmiPki:Cmp:ConfirmWaitSeconds?"), _server.Log);
    }

    [Test]
    public async Task Cmp_an_unconfirmed_certificate_is_revoked_after_the_configured_wait()
    {
        var added = await _server.CliAsync("cmp-credentials", "add", "--ref", "dcu-config", "--profile", "dcu", "--reusable");
        Assert.That(added.ExitCode, Is.EqualTo(0), added.Describe());
        var secret = SecretLine().Match(added.StandardOutput).Groups[1].Value;
        var key = await KeyAsync("cmp");
        var ir = await ExternalProcess.RunAsync("openssl", ["cmp", "-server", $"127.0.0.1:{_server.HttpPort}/.well-known/cmp", "-cmd", "ir",
            "-recipient", "/CN=AmiPki", "-ref", "dcu-config", "-secret", "pass:" + secret, "-newkey", key, "-subject", "/CN=DCU-CONFIG-1",
            "-disable_confirm", "-certout", File("cmp.pem")], null, TimeSpan.FromSeconds(60));
        Assert.That(ir.ExitCode, Is.EqualTo(0), ir.Describe());
        var serial = (await ExternalProcess.RunCheckedAsync("openssl", "x509", "-in", File("cmp.pem"), "-noout", "-serial")).StandardOutput.Trim()["serial=".Length..];

        // The default wait is 300 s: revoked within a minute only because AMIPKI_Cmp__ConfirmWaitSeconds=4 took effect.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        string shown;
        do
        {
            await Task.Delay(1000);
            shown = (await _server.CliAsync("show", serial)).StandardOutput;
        }
        while (!IsRevoked(shown) && DateTime.UtcNow < until);
        Assert.That(IsRevoked(shown), Is.True, $"certificate {serial} not revoked within 60 s of a {ConfirmWaitSeconds} s confirm wait:\n{shown}\n{_server.Log}");
    }

    [Test]
    public async Task Scep_GetCACaps_advertises_DES3_when_enabled()
    {
        var caps = await ExternalProcess.RunCheckedAsync("curl", "-sS", "--fail", $"{_server.HttpBase}/scep?operation=GetCACaps");
        Assert.That(caps.StandardOutput.Split('\n'), Does.Contain("DES3"), caps.Describe());
    }

    [Test]
    public async Task Est_a_401_names_the_configured_realm()
    {
        var key = await KeyAsync("est");
        await ExternalProcess.RunCheckedAsync("openssl", "req", "-new", "-key", key, "-subj", "/CN=hes-config", "-outform", "DER", "-out", File("est.csr.der"));
        await System.IO.File.WriteAllTextAsync(File("est.csr.b64"), Convert.ToBase64String(await System.IO.File.ReadAllBytesAsync(File("est.csr.der"))));
        var curl = await ExternalProcess.RunAsync("curl", "-sS", "--max-time", "30", "--cacert", _server.RootPemPath, "-D", "-", "-o", File("est.body"),
            "-H", "Content-Type: application/pkcs10", "--data-binary", "@" + File("est.csr.b64"), $"{_server.HttpsBase}/.well-known/est/simpleenroll");
        Assert.That(curl.ExitCode, Is.EqualTo(0), curl.Describe());
        Assert.That(curl.StandardOutput, Does.Match(@"^HTTP/\S+ 401"), curl.Describe());
        Assert.That(curl.StandardOutput, Does.Contain($"Basic realm=\"{Realm}\""), curl.Describe());
    }

    [Test]
    public async Task Ocsp_GET_answers_are_cached_at_most_the_configured_max_age()
    {
        await ExternalProcess.RunCheckedAsync("curl", "-sS", "--fail", "-o", File("issuing-s1.cer"), $"{_server.HttpBase}/ca/issuing-s1.cer");
        await ExternalProcess.RunCheckedAsync("openssl", "x509", "-inform", "DER", "-in", File("issuing-s1.cer"), "-out", File("issuing-s1.pem"));
        var key = await KeyAsync("meter");
        await ExternalProcess.RunCheckedAsync("openssl", "req", "-new", "-key", key, "-subj", "/CN=4D4D4D00000C0001", "-out", File("meter.csr"));
        var issue = await _server.CliAsync("issue", "--profile", "meter-s1-signing", "--csr", File("meter.csr"), "--out", File("meter.pem"));
        Assert.That(issue.ExitCode, Is.EqualTo(0), issue.Describe());
        await ExternalProcess.RunCheckedAsync("openssl", "ocsp", "-issuer", File("issuing-s1.pem"), "-cert", File("meter.pem"), "-no_nonce", "-reqout", File("meter.req"));
        var url = $"{_server.HttpBase}/ocsp/{Uri.EscapeDataString(Convert.ToBase64String(await System.IO.File.ReadAllBytesAsync(File("meter.req"))))}";
        var curl = await ExternalProcess.RunCheckedAsync("curl", "-sS", "--fail", "-D", "-", "-o", File("meter.resp"), url);
        var maxAge = MaxAge().Match(curl.StandardOutput);
        Assert.That(maxAge.Success, Is.True, curl.Describe());
        // The default is 60 s (nextUpdate is hours away): at most 7 only because AMIPKI_Ocsp__HttpMaxAgeSeconds=7 took effect.
        Assert.That(int.Parse(maxAge.Groups[1].Value, CultureInfo.InvariantCulture), Is.InRange(0, OcspMaxAgeSeconds), curl.StandardOutput);
    }

    [Test]
    public async Task Crl_nextUpdate_follows_the_configured_validity()
    {
        await ExternalProcess.RunCheckedAsync("curl", "-sS", "--fail", "-o", File("issuing-s1.crl"), $"{_server.HttpBase}/crl/issuing-s1.crl");
        var dates = await ExternalProcess.RunCheckedAsync("openssl", "crl", "-inform", "DER", "-in", File("issuing-s1.crl"), "-noout", "-lastupdate", "-nextupdate");
        var values = dates.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => DateTime.ParseExact(l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..].Replace("  ", " ", StringComparison.Ordinal), "MMM d HH:mm:ss yyyy 'GMT'",
                CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal))
            .ToList();
        Assert.That(values[1] - values[0], Is.EqualTo(TimeSpan.FromHours(3)), dates.StandardOutput);
    }

    [Test]
    public async Task A_bad_value_stops_start_up_naming_the_key()
    {
        foreach (var (value, message) in new[]
                 {
                     ("0", "AmiPki:Cmp:ConfirmWaitSeconds must be at least 1, not 0 (environment AMIPKI_Cmp__ConfirmWaitSeconds)"),
                     ("soon", "AmiPki:Cmp:ConfirmWaitSeconds must be a whole number, not 'soon' (environment AMIPKI_Cmp__ConfirmWaitSeconds)"),
                 })
        {
            var environment = new Dictionary<string, string>(AmiPkiServer.Environment) { ["AMIPKI_Cmp__ConfirmWaitSeconds"] = value };
            var serve = await ExternalProcess.RunAsync("dotnet",
                [RepositoryPaths.AmiPkiDll, "serve", "--data", _server.DataDirectory, "--http-port", FreePort.Tcp().ToString(CultureInfo.InvariantCulture),
                    "--https-port", "0", "--coaps-port", "0"], null, TimeSpan.FromSeconds(60), environment);
            Assert.That(serve.ExitCode, Is.Not.EqualTo(0), serve.Describe());
            Assert.That(serve.StandardError.Trim().Split('\n'), Has.Length.EqualTo(1), serve.Describe());
            Assert.That(serve.StandardError, Does.Contain(message), serve.Describe());
        }
    }

    /// <summary>What <c>amipki show</c> prints once revoked: a revocation line other than "not revoked".</summary>
    private static bool IsRevoked(string shown) =>
        shown.Split('\n').Any(line => line.StartsWith("revocation:", StringComparison.Ordinal) && !line.Contains("not revoked", StringComparison.Ordinal));

    private async Task<string> KeyAsync(string name)
    {
        var key = File(name + ".key");
        await ExternalProcess.RunCheckedAsync("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key);
        return key;
    }

    [GeneratedRegex(@"secret \(shown once\): (\S+)")]
    private static partial Regex SecretLine();

    [GeneratedRegex(@"(?im)^cache-control:\s*max-age=(\d+)")]
    private static partial Regex MaxAge();
}
