using System.Text.RegularExpressions;
using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.Revocation;

/// <summary>
/// Whole-chain CRL checking against a running <c>amipki serve</c>, as head-ends do it (nginx <c>ssl_crl</c>, Apache
/// <c>SSLCARevocationCheck chain</c>): <c>openssl verify -crl_check_all</c> checks every certificate of the chain, the
/// self-signed root included, against its issuer's CRL, and each CRL's Issuing Distribution Point must match the
/// certificate's CRL Distribution Points (RFC 5280 §6.3.3 b.2) or OpenSSL reports "different CRL scope". The CRLs are
/// fetched over HTTP from the URLs the certificates name: the meter's CDP (issuing CA CRL) and the issuing CA's CDP (root CRL).
/// </summary>
public sealed partial class CrlChainInteropTests
{
    private static readonly TimeSpan PollLimit = TimeSpan.FromSeconds(90);

    private AmiPkiServer _server = null!;
    private string _work = null!;
    private string _issuingPem = null!;
    private string _good = null!;
    private string _revoked = null!;
    private string _revokedSerial = null!;
    private string _issuingCrlUrl = null!;
    private string _rootCrlUrl = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _server = await AmiPkiServer.StartAsync();
        _work = Path.Combine(_server.DataDirectory, "crl-chain-interop");
        Directory.CreateDirectory(_work);
        var issuingDer = Path.Combine(_work, "issuing-s1.cer");
        _issuingPem = Path.Combine(_work, "issuing-s1.pem");
        await ExternalProcess.RunCheckedAsync("curl", "-sS", "--fail", "-o", issuingDer, $"{_server.HttpBase}/ca/issuing-s1.cer");
        await ExternalProcess.RunCheckedAsync("openssl", "x509", "-inform", "DER", "-in", issuingDer, "-out", _issuingPem);

        _good = await IssueAsync("4D4D4D0000C10001");
        _revoked = await IssueAsync("4D4D4D0000C10002");
        _revokedSerial = (await ExternalProcess.RunCheckedAsync("openssl", "x509", "-in", _revoked, "-noout", "-serial")).StandardOutput.Trim().Split('=')[1];
        var revoke = await RevocationAdmin.RunAsync(_server, "revoke", "--serial", _revokedSerial, "--reason", "keyCompromise");
        Assert.That(revoke.ExitCode, Is.EqualTo(0), revoke.Describe());

        _issuingCrlUrl = await CdpOfAsync(_good);
        _rootCrlUrl = await CdpOfAsync(_issuingPem);
        Assert.That(_issuingCrlUrl, Is.EqualTo($"{_server.HttpBase}/crl/issuing-s1.crl"));
        Assert.That(_rootCrlUrl, Is.EqualTo($"{_server.HttpBase}/crl/root.crl"));
    }

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    [Test]
    public async Task Openssl_verify_crl_check_all_with_the_issuing_and_root_CRLs_accepts_a_good_meter_and_rejects_a_revoked_one()
    {
        var issuingCrl = await PollCrlAsync(_issuingCrlUrl, "issuing-s1.crl.pem", _revokedSerial);
        var rootCrl = await PollCrlAsync(_rootCrlUrl, "root.crl.pem", null);
        var both = Path.Combine(_work, "issuing-and-root.crl.pem");
        await File.WriteAllTextAsync(both, await File.ReadAllTextAsync(issuingCrl) + await File.ReadAllTextAsync(rootCrl));

        var good = await VerifyAsync(_good, "-CRLfile", both);
        Assert.That(good.ExitCode, Is.EqualTo(0), good.Describe());
        Assert.That(good.StandardOutput, Does.Contain($"{_good}: OK"), good.Describe());
        Assert.That(good.StandardOutput + good.StandardError, Does.Not.Contain("different CRL scope"), good.Describe());

        var revoked = await VerifyAsync(_revoked, "-CRLfile", both);
        Assert.That(revoked.ExitCode, Is.Not.EqualTo(0), revoked.Describe());
        Assert.That(revoked.StandardOutput + revoked.StandardError, Does.Contain("certificate revoked"), revoked.Describe());

        var rootText = (await ExternalProcess.RunCheckedAsync("openssl", "crl", "-in", rootCrl, "-noout", "-text")).StandardOutput;
        Assert.That(rootText, Does.Not.Contain("Issuing Distribution Point"), "the root's CRL covers every certificate of the root, itself included");
        var issuingText = (await ExternalProcess.RunCheckedAsync("openssl", "crl", "-in", issuingCrl, "-noout", "-text")).StandardOutput;
        Assert.That(issuingText, Does.Contain("Issuing Distribution Point: critical").And.Contain("URI:" + _issuingCrlUrl),
            "the end-entity CRL keeps its scope");
    }

    [Test]
    public async Task Openssl_verify_crl_check_all_crl_download_fetches_the_issuing_CA_CRL_from_the_meter_CDP()
    {
        // The root has no CDP (nothing to download for the trust anchor), so its CRL comes with the anchor (-CRLfile);
        // the issuing CA's CRL is only reachable through the meter's CDP, which openssl fetches over HTTP.
        await PollCrlAsync(_issuingCrlUrl, "issuing-s1-published.crl.pem", _revokedSerial);
        var rootCrl = await PollCrlAsync(_rootCrlUrl, "root-for-download.crl.pem", null);

        var good = await VerifyAsync(_good, "-crl_download", "-CRLfile", rootCrl);
        Assert.That(good.ExitCode, Is.EqualTo(0), good.Describe());
        Assert.That(good.StandardOutput, Does.Contain($"{_good}: OK"), good.Describe());

        var revoked = await VerifyAsync(_revoked, "-crl_download", "-CRLfile", rootCrl);
        Assert.That(revoked.ExitCode, Is.Not.EqualTo(0), revoked.Describe());
        Assert.That(revoked.StandardOutput + revoked.StandardError, Does.Contain("certificate revoked"), revoked.Describe());
    }

    private Task<ProcessResult> VerifyAsync(string certificate, params string[] crlArguments) =>
        ExternalProcess.RunAsync("openssl", ["verify", "-crl_check_all", .. crlArguments, "-CAfile", _server.RootPemPath, "-untrusted", _issuingPem,
            certificate]);

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

    /// <summary>The single HTTP URI of a certificate's CRL Distribution Points (RFC 5280 §4.2.1.13).</summary>
    private static async Task<string> CdpOfAsync(string certificatePem)
    {
        var text = (await ExternalProcess.RunCheckedAsync("openssl", "x509", "-in", certificatePem, "-noout", "-ext", "crlDistributionPoints")).StandardOutput;
        var uris = UriPattern().Matches(text).Select(m => m.Groups[1].Value).ToList();
        Assert.That(uris, Has.Count.EqualTo(1), text);
        return uris[0];
    }

    /// <summary>Downloads a CRL (DER, application/pkix-crl) until it lists <paramref name="mustList"/>; returns it as PEM.</summary>
    private async Task<string> PollCrlAsync(string url, string pemName, string? mustList)
    {
        var der = Path.Combine(_work, pemName + ".der");
        var pem = Path.Combine(_work, pemName);
        var deadline = DateTime.UtcNow + PollLimit;
        string text;
        do
        {
            var curl = await ExternalProcess.RunAsync("curl", "-sS", "--fail", "-o", der, "-w", "%{content_type}", url);
            Assert.That(curl.ExitCode, Is.EqualTo(0), curl.Describe());
            Assert.That(curl.StandardOutput, Is.EqualTo("application/pkix-crl"));
            await ExternalProcess.RunCheckedAsync("openssl", "crl", "-inform", "DER", "-in", der, "-out", pem);
            text = (await ExternalProcess.RunCheckedAsync("openssl", "crl", "-in", pem, "-noout", "-text")).StandardOutput;
            if (mustList is null || text.Contains("Serial Number: " + mustList, StringComparison.OrdinalIgnoreCase))
            {
                return pem;
            }
            await Task.Delay(500);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Fail($"{url} never listed {mustList} within {PollLimit}:\n{text}\nserver log:\n{_server.Log}");
        return "";
    }

    [GeneratedRegex(@"URI:(\S+)")]
    private static partial Regex UriPattern();
}
