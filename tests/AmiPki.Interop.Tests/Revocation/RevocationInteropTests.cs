using System.Globalization;
using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.Revocation;

/// <summary>
/// Revocation against a running <c>amipki serve</c>, checked with real relying-party tools: <c>openssl ocsp</c> (good,
/// revoked with its reason, unknown, nonce, SHA-256 CertIDs, response verified against the delegated responder),
/// curl for RFC 5019 GETs, and <c>openssl verify -crl_check</c> with complete and delta CRLs. Revocations are made by
/// the admin command in another process, so the server must notice them through storage. Waits are bounded polls.
/// </summary>
public sealed class RevocationInteropTests
{
    private const string DcuA = "DCU-A-0001";
    private const string DcuB = "DCU-B-0002";
    private static readonly TimeSpan PollLimit = TimeSpan.FromSeconds(90);

    private AmiPkiServer _server = null!;
    private string _work = null!;
    private string _issuerPem = null!;
    private Meter _good = null!;
    private Meter _compromised = null!;
    private Meter _deltaOnly = null!;
    private Meter _held = null!;
    private Meter _behindB = null!;
    private List<Meter> _behindA = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _server = await AmiPkiServer.StartAsync(beforeServe: async data =>
        {
            var manifest = Path.Combine(data, "devices.csv");
            var lines = new List<string> { "system_title,idevid_sha256,idevid_serial,manufacturer,lot,dcu" };
            lines.AddRange(Enumerable.Range(1, 4).Select(i => $"4D4D4D00000A{i:X4},,IDEV-A{i},MMM,LOT-1,{DcuA}"));
            lines.Add($"4D4D4D00000B0001,,IDEV-B1,MMM,LOT-1,{DcuB}");
            await File.WriteAllLinesAsync(manifest, lines);
            var import = await AmiPkiServer.RunCliAsync(data, "devices", "import", manifest);
            Assert.That(import.ExitCode, Is.EqualTo(0), import.Describe());
        });
        _work = Path.Combine(_server.DataDirectory, "revocation-interop");
        Directory.CreateDirectory(_work);
        _issuerPem = Path.Combine(_work, "issuing-s1.pem");
        await ExternalProcess.RunCheckedAsync("curl", "-sS", "--fail", "-o", Path.Combine(_work, "issuing-s1.cer"), $"{_server.HttpBase}/ca/issuing-s1.cer");
        await ExternalProcess.RunCheckedAsync("openssl", "x509", "-inform", "DER", "-in", Path.Combine(_work, "issuing-s1.cer"), "-out", _issuerPem);

        _good = await IssueAsync("4D4D4D0000000001");
        _compromised = await IssueAsync("4D4D4D0000000002");
        _deltaOnly = await IssueAsync("4D4D4D0000000003");
        _held = await IssueAsync("4D4D4D0000000004");
        _behindA = [];
        for (var i = 1; i <= 4; i++)
        {
            _behindA.Add(await IssueAsync($"4D4D4D00000A{i:X4}"));
        }
        _behindB = await IssueAsync("4D4D4D00000B0001");
    }

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    [Test, Order(1)]
    public async Task Openssl_ocsp_good_with_the_nonce_echoed_and_the_response_verified_against_the_delegated_responder()
    {
        var result = await OcspAsync(_good, "-resp_text");
        var text = result.StandardOutput + result.StandardError;
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Describe());
        Assert.That(text, Does.Contain("Response verify OK"), result.Describe());
        Assert.That(result.StandardOutput, Does.Contain($"{_good.Path}: good"), result.Describe());
        Assert.That(text, Does.Contain("OCSP Nonce"), "openssl sends a nonce by default and checks the echo");
        Assert.That(text, Does.Contain("OCSP Signing").And.Contain("OCSP No Check"), "the delegated responder certificate is included");
        Assert.That(text, Does.Contain("Responder Id: "), "ResponderID byKey");
    }

    [Test, Order(1)]
    public async Task Openssl_ocsp_with_a_SHA256_CertID_and_without_a_nonce_is_good()
    {
        var result = await ExternalProcess.RunAsync("openssl", "ocsp", "-issuer", _issuerPem, "-sha256", "-cert", _good.Path, "-no_nonce",
            "-url", $"{_server.HttpBase}/ocsp", "-CAfile", _server.RootPemPath);
        Assert.That(result.StandardOutput, Does.Contain($"{_good.Path}: good"), result.Describe());
        Assert.That(result.StandardError, Does.Contain("Response verify OK"), result.Describe());
    }

    [Test, Order(1)]
    public async Task Openssl_ocsp_unknown_for_a_serial_never_issued()
    {
        var result = await ExternalProcess.RunAsync("openssl", "ocsp", "-issuer", _issuerPem, "-serial", "0x4D4D00112233445566778899AABBCCDD",
            "-url", $"{_server.HttpBase}/ocsp", "-CAfile", _server.RootPemPath);
        Assert.That(result.StandardOutput, Does.Contain(": unknown"), result.Describe());
        Assert.That(result.StandardError, Does.Contain("Response verify OK"), result.Describe());
    }

    [Test, Order(1)]
    public async Task Curl_GET_with_percent_encoded_and_raw_base64_gets_the_cached_answer_with_its_caching_headers()
    {
        var request = Path.Combine(_work, "good.req");
        await ExternalProcess.RunCheckedAsync("openssl", "ocsp", "-issuer", _issuerPem, "-cert", _good.Path, "-no_nonce", "-reqout", request);
        var base64 = Convert.ToBase64String(await File.ReadAllBytesAsync(request));
        foreach (var (name, path) in new[] { ("encoded", Uri.EscapeDataString(base64)), ("raw", base64) })
        {
            var response = Path.Combine(_work, $"good-{name}.resp");
            var curl = await ExternalProcess.RunAsync("curl", "-sS", "--fail", "-D", "-", "-o", response, $"{_server.HttpBase}/ocsp/{path}");
            Assert.That(curl.ExitCode, Is.EqualTo(0), curl.Describe());
            var headers = curl.StandardOutput.ToLowerInvariant();
            Assert.That(headers, Does.Contain("content-type: application/ocsp-response"));
            Assert.That(headers, Does.Contain("cache-control: max-age=").And.Contain("public, no-transform, must-revalidate"));
            Assert.That(headers, Does.Contain("last-modified: ").And.Contain("expires: ").And.Contain("etag: "));
            var check = await ExternalProcess.RunAsync("openssl", "ocsp", "-respin", response, "-issuer", _issuerPem, "-cert", _good.Path,
                "-CAfile", _server.RootPemPath);
            Assert.That(check.StandardOutput, Does.Contain($"{_good.Path}: good"), check.Describe());
            Assert.That(check.StandardError, Does.Contain("Response verify OK"), check.Describe());
        }
    }

    [Test, Order(1)]
    public async Task Garbage_is_answered_with_malformedRequest_and_HTTP_200()
    {
        var body = Path.Combine(_work, "garbage.req");
        await File.WriteAllBytesAsync(body, [0x30, 0x03, 0x01, 0x02]);
        var response = Path.Combine(_work, "garbage.resp");
        var curl = await ExternalProcess.RunAsync("curl", "-sS", "-o", response, "-w", "%{http_code}", "-H", "Content-Type: application/ocsp-request",
            "--data-binary", "@" + body, $"{_server.HttpBase}/ocsp");
        Assert.That(curl.StandardOutput, Is.EqualTo("200"), curl.Describe());
        var text = await ExternalProcess.RunAsync("openssl", "ocsp", "-respin", response, "-resp_text", "-noverify");
        Assert.That(text.StandardOutput + text.StandardError, Does.Contain("malformedrequest").IgnoreCase, text.Describe());
    }

    [Test, Order(2)]
    public async Task A_revoked_certificate_is_revoked_with_its_reason_over_OCSP_and_fails_openssl_verify_crl_check()
    {
        var good = await VerifyWithCrlAsync(_good, await DownloadCrlAsync("issuing-s1.crl", "before.pem"));
        Assert.That(good.ExitCode, Is.EqualTo(0), good.Describe());

        var revoke = await RevocationAdmin.RunAsync(_server, "revoke", "--serial", _compromised.Serial, "--reason", "keyCompromise");
        Assert.That(revoke.ExitCode, Is.EqualTo(0), revoke.Describe());
        Assert.That(revoke.StandardOutput, Does.Contain("1 certificate(s) revoked"), revoke.Describe());

        var ocsp = await PollOcspAsync(_compromised, "revoked");
        Assert.That(ocsp.StandardOutput, Does.Contain("Reason: keyCompromise"), ocsp.Describe());
        Assert.That(ocsp.StandardError, Does.Contain("Response verify OK"), ocsp.Describe());

        var crl = await PollCrlAsync("issuing-s1.crl", "after.pem", _compromised);
        var verify = await VerifyWithCrlAsync(_compromised, crl);
        Assert.That(verify.ExitCode, Is.Not.EqualTo(0), verify.Describe());
        Assert.That(verify.StandardOutput + verify.StandardError, Does.Contain("certificate revoked"), verify.Describe());
        var stillGood = await VerifyWithCrlAsync(_good, crl);
        Assert.That(stillGood.ExitCode, Is.EqualTo(0), stillGood.Describe());
        var crlText = await ExternalProcess.RunCheckedAsync("openssl", "crl", "-in", crl, "-noout", "-text");
        Assert.That(crlText.StandardOutput, Does.Contain("Key Compromise"));
    }

    [Test, Order(3)]
    public async Task A_delta_CRL_on_an_older_complete_CRL_shows_a_new_revocation_to_openssl_verify_use_deltas()
    {
        var baseCrl = await DownloadCrlAsync("issuing-s1.crl", "delta-base.pem");
        var revoke = await RevocationAdmin.RunAsync(_server, "revoke", "--issuer", "issuing-s1", "--serial", _deltaOnly.Serial, "--reason", "superseded");
        Assert.That(revoke.ExitCode, Is.EqualTo(0), revoke.Describe());
        var delta = await PollCrlAsync("issuing-s1-delta.crl", "delta.pem", _deltaOnly);
        var deltaText = await ExternalProcess.RunCheckedAsync("openssl", "crl", "-in", delta, "-noout", "-text");
        Assert.That(deltaText.StandardOutput, Does.Contain("Delta CRL Indicator: critical"), deltaText.StandardOutput);

        var onlyBase = await VerifyWithCrlAsync(_deltaOnly, baseCrl, "-use_deltas");
        Assert.That(onlyBase.ExitCode, Is.EqualTo(0), "the old complete CRL alone does not know: " + onlyBase.Describe());
        var both = Path.Combine(_work, "base-and-delta.pem");
        await File.WriteAllTextAsync(both, await File.ReadAllTextAsync(baseCrl) + await File.ReadAllTextAsync(delta));
        var withDelta = await VerifyWithCrlAsync(_deltaOnly, both, "-use_deltas");
        Assert.That(withDelta.ExitCode, Is.Not.EqualTo(0), withDelta.Describe());
        Assert.That(withDelta.StandardOutput + withDelta.StandardError, Does.Contain("certificate revoked"), withDelta.Describe());
        var goodWithDelta = await VerifyWithCrlAsync(_good, both, "-use_deltas");
        Assert.That(goodWithDelta.ExitCode, Is.EqualTo(0), goodWithDelta.Describe());
    }

    [Test, Order(4)]
    public async Task A_hold_is_revoked_with_certificateHold_and_good_again_after_release()
    {
        var hold = await RevocationAdmin.RunAsync(_server, "revoke", "--serial", _held.Serial, "--hold");
        Assert.That(hold.ExitCode, Is.EqualTo(0), hold.Describe());
        var held = await PollOcspAsync(_held, "revoked");
        Assert.That(held.StandardOutput, Does.Contain("Reason: certificateHold"), held.Describe());
        var release = await RevocationAdmin.RunAsync(_server, "revoke", "--serial", _held.Serial, "--release");
        Assert.That(release.ExitCode, Is.EqualTo(0), release.Describe());
        Assert.That(release.StandardOutput, Does.Contain("1 certificate(s) released"), release.Describe());
        await PollOcspAsync(_held, "good");
    }

    [Test, Order(5)]
    public async Task Bulk_revocation_by_DCU_reaches_OCSP_and_the_CRL_for_every_certificate_it_touched_and_no_other()
    {
        var revoke = await RevocationAdmin.RunAsync(_server, "revoke", "--dcu", DcuA, "--reason", "cessationOfOperation");
        Assert.That(revoke.ExitCode, Is.EqualTo(0), revoke.Describe());
        Assert.That(revoke.StandardOutput, Does.Contain($"{_behindA.Count} certificate(s) revoked"), revoke.Describe());

        foreach (var meter in _behindA)
        {
            var ocsp = await PollOcspAsync(meter, "revoked");
            Assert.That(ocsp.StandardOutput, Does.Contain("Reason: cessationOfOperation"), ocsp.Describe());
        }
        var crl = await PollCrlAsync("issuing-s1.crl", "dcu.pem", _behindA.ToArray());
        foreach (var meter in _behindA)
        {
            var verify = await VerifyWithCrlAsync(meter, crl);
            Assert.That(verify.StandardOutput + verify.StandardError, Does.Contain("certificate revoked"), verify.Describe());
        }
        var other = await OcspAsync(_behindB);
        Assert.That(other.StandardOutput, Does.Contain($"{_behindB.Path}: good"), other.Describe());
        var otherVerify = await VerifyWithCrlAsync(_behindB, crl);
        Assert.That(otherVerify.ExitCode, Is.EqualTo(0), otherVerify.Describe());
    }

    [Test, Order(6)]
    public async Task The_crl_command_writes_a_CRL_openssl_accepts_with_a_higher_number()
    {
        var served = await DownloadCrlAsync("issuing-s1.crl", "served.pem");
        var file = Path.Combine(_work, "cli.crl");
        var result = await RevocationAdmin.RunAsync(_server, "crl", "--issuer", "issuing-s1", "--out", file);
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Describe());
        var servedNumber = await CrlNumberAsync(served, "PEM");
        var cliNumber = await CrlNumberAsync(file, "DER");
        Assert.That(cliNumber, Is.GreaterThan(servedNumber));
        var check = await ExternalProcess.RunAsync("openssl", "crl", "-inform", "DER", "-in", file, "-noout", "-CAfile", _server.ChainPemPath);
        Assert.That(check.StandardError + check.StandardOutput, Does.Contain("verify OK"), check.Describe());
    }

    private sealed record Meter(string SystemTitle, string Path, string Serial);

    private async Task<Meter> IssueAsync(string systemTitle)
    {
        var key = Path.Combine(_work, systemTitle + ".key");
        var csr = Path.Combine(_work, systemTitle + ".csr");
        var certificate = Path.Combine(_work, systemTitle + ".pem");
        await ExternalProcess.RunCheckedAsync("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key);
        await ExternalProcess.RunCheckedAsync("openssl", "req", "-new", "-key", key, "-subj", "/CN=" + systemTitle, "-out", csr);
        var issue = await _server.CliAsync("issue", "--profile", "meter-s1-signing", "--csr", csr, "--out", certificate);
        Assert.That(issue.ExitCode, Is.EqualTo(0), issue.Describe());
        var serial = await ExternalProcess.RunCheckedAsync("openssl", "x509", "-in", certificate, "-noout", "-serial");
        return new Meter(systemTitle, certificate, serial.StandardOutput.Trim().Split('=')[1]);
    }

    private Task<ProcessResult> OcspAsync(Meter meter, params string[] extra) =>
        ExternalProcess.RunAsync("openssl", ["ocsp", "-issuer", _issuerPem, "-cert", meter.Path, "-url", $"{_server.HttpBase}/ocsp",
            "-CAfile", _server.RootPemPath, .. extra]);

    private async Task<ProcessResult> PollOcspAsync(Meter meter, string status)
    {
        var deadline = DateTime.UtcNow + PollLimit;
        ProcessResult result;
        do
        {
            result = await OcspAsync(meter);
            if (result.StandardOutput.Contains($"{meter.Path}: {status}", StringComparison.Ordinal))
            {
                return result;
            }
            await Task.Delay(500);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Fail($"OCSP never said {status} for {meter.SystemTitle} within {PollLimit}: {result.Describe()}\nserver log:\n{_server.Log}");
        return result;
    }

    private async Task<string> DownloadCrlAsync(string name, string pemName)
    {
        var der = Path.Combine(_work, pemName + ".der");
        var pem = Path.Combine(_work, pemName);
        var curl = await ExternalProcess.RunAsync("curl", "-sS", "--fail", "-o", der, "-w", "%{content_type}", $"{_server.HttpBase}/crl/{name}");
        Assert.That(curl.ExitCode, Is.EqualTo(0), curl.Describe());
        Assert.That(curl.StandardOutput, Is.EqualTo("application/pkix-crl"));
        await ExternalProcess.RunCheckedAsync("openssl", "crl", "-inform", "DER", "-in", der, "-out", pem);
        return pem;
    }

    private async Task<string> PollCrlAsync(string name, string pemName, params Meter[] mustList)
    {
        var deadline = DateTime.UtcNow + PollLimit;
        string text;
        do
        {
            var pem = await DownloadCrlAsync(name, pemName);
            text = (await ExternalProcess.RunCheckedAsync("openssl", "crl", "-in", pem, "-noout", "-text")).StandardOutput;
            if (mustList.All(m => text.Contains("Serial Number: " + m.Serial, StringComparison.OrdinalIgnoreCase)))
            {
                return pem;
            }
            await Task.Delay(500);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Fail($"{name} never listed {string.Join(", ", mustList.Select(m => m.Serial))} within {PollLimit}:\n{text}");
        return "";
    }

    private Task<ProcessResult> VerifyWithCrlAsync(Meter meter, string crlPem, params string[] extra) =>
        ExternalProcess.RunAsync("openssl", ["verify", "-crl_check", .. extra, "-CAfile", _server.ChainPemPath, "-CRLfile", crlPem, meter.Path]);

    private static async Task<long> CrlNumberAsync(string path, string form)
    {
        var text = (await ExternalProcess.RunCheckedAsync("openssl", "crl", "-inform", form, "-in", path, "-noout", "-crlnumber")).StandardOutput;
        var value = text.Trim().Split('=')[1];
        return long.Parse(value.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? value[2..] : value,
            value.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? NumberStyles.HexNumber : NumberStyles.Integer, CultureInfo.InvariantCulture);
    }
}
