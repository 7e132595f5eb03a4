using System.Globalization;
using System.Text.RegularExpressions;
using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.Revocation;

/// <summary>
/// A revocation by the CLI (another process) is in the very next OCSP answer of a running <c>amipki serve</c>, with no
/// wait for the server's storage poll, and HTTP caches are never told to keep a <c>good</c> answer longer than
/// <c>AmiPki:Ocsp:HttpMaxAgeSeconds</c>. Checked with <c>openssl ocsp</c> (POST, pre-signed path: no nonce) and curl
/// (RFC 5019 GET, headers).
/// </summary>
public sealed partial class OcspFreshnessInteropTests
{
    private const int HttpMaxAgeSeconds = 30;

    private AmiPkiServer _server = null!;
    private string _work = null!;
    private string _issuerPem = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _server = await AmiPkiServer.StartAsync(environment: new Dictionary<string, string>
        {
            ["AMIPKI_Ocsp__HttpMaxAgeSeconds"] = HttpMaxAgeSeconds.ToString(CultureInfo.InvariantCulture),
        });
        _work = Path.Combine(_server.DataDirectory, "ocsp-freshness");
        Directory.CreateDirectory(_work);
        _issuerPem = Path.Combine(_work, "issuing-s1.pem");
        await ExternalProcess.RunCheckedAsync("curl", "-sS", "--fail", "-o", Path.Combine(_work, "issuing-s1.cer"), $"{_server.HttpBase}/ca/issuing-s1.cer");
        await ExternalProcess.RunCheckedAsync("openssl", "x509", "-inform", "DER", "-in", Path.Combine(_work, "issuing-s1.cer"), "-out", _issuerPem);
    }

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    [Test]
    public async Task A_CLI_revocation_is_in_the_next_OCSP_answer_at_once_and_good_answers_are_cached_only_briefly()
    {
        var meter = await IssueAsync("4D4D4D00000F0001");
        var serial = (await ExternalProcess.RunCheckedAsync("openssl", "x509", "-in", meter, "-noout", "-serial")).StandardOutput.Trim().Split('=')[1];
        var request = Path.Combine(_work, "meter.req");
        await ExternalProcess.RunCheckedAsync("openssl", "ocsp", "-issuer", _issuerPem, "-cert", meter, "-no_nonce", "-reqout", request);
        var getUrl = $"{_server.HttpBase}/ocsp/{Uri.EscapeDataString(Convert.ToBase64String(await File.ReadAllBytesAsync(request)))}";

        // good, twice (the second from the pre-signed cache), and its GET headers bounded by the configured max-age.
        for (var i = 0; i < 2; i++)
        {
            var ocsp = await OcspNoNonceAsync(meter);
            Assert.That(ocsp.StandardOutput, Does.Contain($"{meter}: good"), ocsp.Describe());
        }
        var (goodStatus, goodMaxAge, goodHeaders) = await GetAsync(getUrl, meter, "good");
        Assert.That(goodStatus, Does.Contain($"{meter}: good"), goodHeaders);
        Assert.That(goodMaxAge, Is.InRange(0, HttpMaxAgeSeconds), goodHeaders);
        Assert.That(goodHeaders, Does.Contain("public, no-transform, must-revalidate"));

        var revoke = await RevocationAdmin.RunAsync(_server, "revoke", "--serial", serial, "--reason", "keyCompromise");
        Assert.That(revoke.ExitCode, Is.EqualTo(0), revoke.Describe());
        Assert.That(revoke.StandardOutput, Does.Contain("1 certificate(s) revoked"), revoke.Describe());

        // No sleep, no poll: the revocation is acknowledged, so every answer from now on says revoked.
        var revoked = await OcspNoNonceAsync(meter);
        Assert.That(revoked.StandardOutput, Does.Contain($"{meter}: revoked"), revoked.Describe() + "\nserver log:\n" + _server.Log);
        Assert.That(revoked.StandardOutput, Does.Contain("Reason: keyCompromise"), revoked.Describe());
        Assert.That(revoked.StandardError, Does.Contain("Response verify OK"), revoked.Describe());
        var (revokedStatus, revokedMaxAge, revokedHeaders) = await GetAsync(getUrl, meter, "revoked");
        Assert.That(revokedStatus, Does.Contain($"{meter}: revoked"), revokedHeaders);
        Assert.That(revokedMaxAge, Is.GreaterThan(HttpMaxAgeSeconds), "a revoked answer stays true until its nextUpdate: " + revokedHeaders);
        var withNonce = await ExternalProcess.RunAsync("openssl", "ocsp", "-issuer", _issuerPem, "-cert", meter, "-url", $"{_server.HttpBase}/ocsp",
            "-CAfile", _server.RootPemPath);
        Assert.That(withNonce.StandardOutput, Does.Contain($"{meter}: revoked"), withNonce.Describe());
    }

    private async Task<string> IssueAsync(string systemTitle)
    {
        var key = Path.Combine(_work, systemTitle + ".key");
        var csr = Path.Combine(_work, systemTitle + ".csr");
        var certificate = Path.Combine(_work, systemTitle + ".pem");
        await ExternalProcess.RunCheckedAsync("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key);
        await ExternalProcess.RunCheckedAsync("openssl", "req", "-new", "-key", key, "-subj", "/CN=" + systemTitle, "-out", csr);
        var issue = await _server.CliAsync("issue", "--profile", "meter-s1-signing", "--csr", csr, "--out", certificate);
        Assert.That(issue.ExitCode, Is.EqualTo(0), issue.Describe());
        return certificate;
    }

    private Task<ProcessResult> OcspNoNonceAsync(string certificate) =>
        ExternalProcess.RunAsync("openssl", "ocsp", "-issuer", _issuerPem, "-cert", certificate, "-no_nonce", "-url", $"{_server.HttpBase}/ocsp",
            "-CAfile", _server.RootPemPath);

    /// <summary>GETs the request with curl (headers with -D), then lets openssl read and verify the response.</summary>
    private async Task<(string Status, long MaxAge, string Headers)> GetAsync(string url, string certificate, string name)
    {
        var response = Path.Combine(_work, name + ".resp");
        var curl = await ExternalProcess.RunAsync("curl", "-sS", "--fail", "-D", "-", "-o", response, url);
        Assert.That(curl.ExitCode, Is.EqualTo(0), curl.Describe());
        var headers = curl.StandardOutput;
        var match = MaxAge().Match(headers);
        Assert.That(match.Success, Is.True, headers);
        var check = await ExternalProcess.RunAsync("openssl", "ocsp", "-respin", response, "-issuer", _issuerPem, "-cert", certificate,
            "-CAfile", _server.RootPemPath);
        Assert.That(check.StandardError, Does.Contain("Response verify OK"), check.Describe());
        return (check.StandardOutput, long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), headers);
    }

    [GeneratedRegex(@"(?im)^cache-control:\s*max-age=(\d+)")]
    private static partial Regex MaxAge();
}
