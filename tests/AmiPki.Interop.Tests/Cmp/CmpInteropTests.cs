using System.Text.RegularExpressions;
using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.Cmp;

/// <summary>
/// CMPv2 over HTTP (RFC 4210 / RFC 9483 / RFC 6712) against a real <c>amipki serve</c> on 127.0.0.1, driven by real
/// <c>openssl cmp</c> processes: ir with a reference and secret made by <c>amipki cmp-credentials add</c>, cr and p10cr
/// with a current certificate, kur with a new key, rr then <c>amipki show</c>, genm, implicitConfirm, and every
/// refusal with the PKIFailureInfo openssl prints. Each test enrolls its own DCU so tests do not depend on each other.
/// </summary>
public sealed partial class CmpInteropTests
{
    private const string Reusable = "dcu-lab";
    private const string OneTime = "dcu-once";

    private readonly Dictionary<string, string> _secrets = new(StringComparer.Ordinal);
    private AmiPkiServer _server = null!;
    private string _work = null!;
    private int _next;

    private string Url => $"127.0.0.1:{_server.HttpPort}/.well-known/cmp";

    private string File(string name) => Path.Combine(_work, name);

    [OneTimeSetUp]
    public async Task Start()
    {
        _work = Path.Combine(Path.GetTempPath(), "amipki-cmp-interop-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(_work);
        _server = await AmiPkiServer.StartAsync(beforeServe: async data =>
        {
            foreach (var (reference, extra) in new[] { (Reusable, new[] { "--reusable" }), (OneTime, Array.Empty<string>()) })
            {
                var added = await AmiPkiServer.RunCliAsync(data, ["cmp-credentials", "add", "--ref", reference, "--profile", "dcu", "--expires-in", "1d", .. extra]);
                Assert.That(added.ExitCode, Is.EqualTo(0), added.Describe());
                var secret = SecretLine().Match(added.StandardOutput);
                Assert.That(secret.Success, Is.True, added.Describe());
                _secrets[reference] = secret.Groups[1].Value;
            }
        });
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }

    [GeneratedRegex(@"secret \(shown once\): (\S+)")]
    private static partial Regex SecretLine();

    private async Task<string> NewKey(string name)
    {
        var key = File(name + ".key");
        var result = await ExternalProcess.RunAsync("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key]);
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Describe());
        return key;
    }

    private Task<ProcessResult> Cmp(params string[] arguments) =>
        ExternalProcess.RunAsync("openssl", ["cmp", "-server", Url, .. arguments], null, TimeSpan.FromSeconds(60));

    private string[] Mac(string reference, string? secret = null) =>
        ["-recipient", "/CN=AmiPki", "-ref", reference, "-secret", "pass:" + (secret ?? _secrets[reference])];

    private string[] Signed(string certificate, string key) => ["-trusted", _server.ChainPemPath, "-cert", certificate, "-key", key];

    /// <summary>A fresh DCU enrolled by ir with the reusable reference: (name, certificate, key).</summary>
    private async Task<(string Name, string Certificate, string Key)> EnrollAsync()
    {
        var name = $"DCU-{Interlocked.Increment(ref _next):D4}-{Guid.NewGuid().ToString("N")[..6]}";
        var key = await NewKey(name);
        var certificate = File(name + ".pem");
        var ir = await Cmp(["-cmd", "ir", .. Mac(Reusable), "-newkey", key, "-subject", "/CN=" + name, "-certout", certificate]);
        Assert.That(ir.ExitCode, Is.EqualTo(0), ir.Describe());
        return (name, certificate, key);
    }

    private async Task<string> SerialOf(string certificate)
    {
        var result = await ExternalProcess.RunCheckedAsync("openssl", "x509", "-in", certificate, "-noout", "-serial");
        return result.StandardOutput.Trim()["serial=".Length..];
    }

    /// <summary>What openssl cmp printed: its info lines go to stdout, errors to stderr.</summary>
    private static string Printed(ProcessResult result) => result.StandardOutput + result.StandardError;

    private static void AssertFailInfo(ProcessResult result, string failInfo)
    {
        Assert.That(result.ExitCode, Is.Not.EqualTo(0), result.Describe());
        Assert.That(Printed(result), Does.Contain("PKIStatus: rejection; PKIFailureInfo: " + failInfo + ";"), result.Describe());
    }

    private async Task AssertNothingIssuedFor(string subject)
    {
        var list = await _server.CliAsync("list", "--profile", "dcu", "--limit", "1000");
        Assert.That(list.ExitCode, Is.EqualTo(0), list.Describe());
        Assert.That(list.StandardOutput, Does.Not.Contain(subject));
    }

    [Test]
    public async Task Ir_with_reference_and_secret_enrolls_with_certConf_and_returns_the_root_in_caPubs()
    {
        var key = await NewKey("ir");
        var ir = await Cmp(["-cmd", "ir", .. Mac(Reusable), "-newkey", key, "-subject", "/CN=DCU-IR-0001", "-certout", File("ir.pem"),
            "-cacertsout", File("ir-capubs.pem"), "-extracertsout", File("ir-extra.pem")]);
        Assert.That(ir.ExitCode, Is.EqualTo(0), ir.Describe());
        Assert.That(Printed(ir), Does.Contain("sending CERTCONF").And.Contain("received PKICONF"), ir.Describe());

        var subject = await ExternalProcess.RunCheckedAsync("openssl", "x509", "-in", File("ir.pem"), "-noout", "-subject");
        Assert.That(subject.StandardOutput, Does.Contain("CN = DCU-IR-0001"));
        // caPubs is the root; with the issuing CA from extraCerts the new certificate verifies.
        var root = await ExternalProcess.RunCheckedAsync("openssl", "x509", "-in", File("ir-capubs.pem"), "-noout", "-fingerprint", "-sha256");
        var expectedRoot = await ExternalProcess.RunCheckedAsync("openssl", "x509", "-in", _server.RootPemPath, "-noout", "-fingerprint", "-sha256");
        Assert.That(root.StandardOutput, Is.EqualTo(expectedRoot.StandardOutput));
        var verify = await ExternalProcess.RunAsync("openssl", "verify", "-CAfile", File("ir-capubs.pem"), "-untrusted", File("ir-extra.pem"), File("ir.pem"));
        Assert.That(verify.ExitCode, Is.EqualTo(0), verify.Describe());
    }

    [Test]
    public async Task Ir_with_implicit_confirm_needs_no_certConf()
    {
        var key = await NewKey("implicit");
        var ir = await Cmp(["-cmd", "ir", .. Mac(Reusable), "-newkey", key, "-subject", "/CN=DCU-IMPLICIT-0001", "-certout", File("implicit.pem"), "-implicit_confirm"]);
        Assert.That(ir.ExitCode, Is.EqualTo(0), ir.Describe());
        Assert.That(Printed(ir), Does.Not.Contain("sending CERTCONF"), ir.Describe());
        Assert.That(System.IO.File.Exists(File("implicit.pem")), Is.True);
    }

    [Test]
    public async Task Cr_signed_with_the_current_certificate_issues_another_for_the_same_subject()
    {
        var dcu = await EnrollAsync();
        var key = await NewKey(dcu.Name + "-cr");
        var cr = await Cmp(["-cmd", "cr", .. Signed(dcu.Certificate, dcu.Key), "-newkey", key, "-subject", "/CN=" + dcu.Name, "-certout", File(dcu.Name + "-cr.pem")]);
        Assert.That(cr.ExitCode, Is.EqualTo(0), cr.Describe());
        Assert.That(Printed(cr), Does.Contain("received CP"), cr.Describe());
    }

    [Test]
    public async Task P10cr_signed_with_the_current_certificate_issues_from_a_PKCS10_CSR()
    {
        var dcu = await EnrollAsync();
        var key = await NewKey(dcu.Name + "-p10");
        var csr = File(dcu.Name + ".csr");
        await ExternalProcess.RunCheckedAsync("openssl", "req", "-new", "-key", key, "-subj", "/CN=" + dcu.Name, "-out", csr);
        var p10cr = await Cmp(["-cmd", "p10cr", .. Signed(dcu.Certificate, dcu.Key), "-csr", csr, "-certout", File(dcu.Name + "-p10.pem")]);
        Assert.That(p10cr.ExitCode, Is.EqualTo(0), p10cr.Describe());
        Assert.That(Printed(p10cr), Does.Contain("received CP").And.Contain("received PKICONF"), p10cr.Describe());
    }

    [Test]
    public async Task Kur_with_the_current_certificate_and_a_new_key_renews_and_supersedes_the_old_one()
    {
        var dcu = await EnrollAsync();
        var newKey = await NewKey(dcu.Name + "-kur");
        var renewed = File(dcu.Name + "-kur.pem");
        var kur = await Cmp(["-cmd", "kur", .. Signed(dcu.Certificate, dcu.Key), "-newkey", newKey, "-certout", renewed]);
        Assert.That(kur.ExitCode, Is.EqualTo(0), kur.Describe());
        Assert.That(Printed(kur), Does.Contain("received KUP").And.Contain("received PKICONF"), kur.Describe());

        var oldKey = await ExternalProcess.RunCheckedAsync("openssl", "x509", "-in", dcu.Certificate, "-noout", "-pubkey");
        var newCertificateKey = await ExternalProcess.RunCheckedAsync("openssl", "x509", "-in", renewed, "-noout", "-pubkey");
        var expectedKey = await ExternalProcess.RunCheckedAsync("openssl", "ec", "-in", newKey, "-pubout");
        Assert.That(newCertificateKey.StandardOutput, Is.EqualTo(expectedKey.StandardOutput));
        Assert.That(newCertificateKey.StandardOutput, Is.Not.EqualTo(oldKey.StandardOutput));
        var subject = await ExternalProcess.RunCheckedAsync("openssl", "x509", "-in", renewed, "-noout", "-subject");
        Assert.That(subject.StandardOutput, Does.Contain("CN = " + dcu.Name));

        // The dcu profile revokes the old certificate as superseded once the new one is confirmed.
        var show = await _server.CliAsync("show", await SerialOf(dcu.Certificate));
        Assert.That(show.ExitCode, Is.EqualTo(0), show.Describe());
        Assert.That(show.StandardOutput, Does.Contain("revocation:  superseded"), show.Describe());
        Assert.That(show.StandardOutput, Does.Contain("state:       revoked"), "show says revoked, as list does");
        // And the old certificate can no longer sign requests.
        var again = await Cmp(["-cmd", "kur", .. Signed(dcu.Certificate, dcu.Key), "-newkey", newKey, "-certout", File(dcu.Name + "-kur2.pem")]);
        AssertFailInfo(again, "certRevoked");
    }

    [Test]
    public async Task Rr_revokes_and_amipki_show_reports_the_certificate_revoked()
    {
        var dcu = await EnrollAsync();
        var rr = await Cmp(["-cmd", "rr", .. Signed(dcu.Certificate, dcu.Key), "-oldcert", dcu.Certificate, "-revreason", "1"]);
        Assert.That(rr.ExitCode, Is.EqualTo(0), rr.Describe());
        Assert.That(Printed(rr), Does.Contain("revocation accepted"), rr.Describe());
        var show = await _server.CliAsync("show", await SerialOf(dcu.Certificate));
        Assert.That(show.ExitCode, Is.EqualTo(0), show.Describe());
        Assert.That(show.StandardOutput, Does.Contain("revocation:  keyCompromise"), show.Describe());
    }

    [Test]
    public async Task Genm_answers_signKeyPairTypes_to_a_MAC_protected_request()
    {
        var genm = await Cmp(["-cmd", "genm", .. Mac(Reusable), "-infotype", "signKeyPairTypes"]);
        Assert.That(genm.ExitCode, Is.EqualTo(0), genm.Describe());
        Assert.That(Printed(genm), Does.Contain("received GENP").And.Contain("id-it-signKeyPairTypes"), genm.Describe());
    }

    [Test]
    public async Task Genm_signed_with_a_certificate_is_answered_with_a_signed_genp()
    {
        var dcu = await EnrollAsync();
        var genm = await Cmp(["-cmd", "genm", .. Signed(dcu.Certificate, dcu.Key), "-infotype", "signKeyPairTypes"]);
        Assert.That(genm.ExitCode, Is.EqualTo(0), genm.Describe());
        Assert.That(Printed(genm), Does.Contain("id-it-signKeyPairTypes"), genm.Describe());
    }

    [Test]
    public async Task A_wrong_secret_fails_with_badMessageCheck_and_issues_nothing()
    {
        var key = await NewKey("wrong");
        // The error is signed by the CMP responder (the secret is not shared): -trusted lets openssl verify it.
        var ir = await Cmp(["-cmd", "ir", .. Mac(Reusable, "not-the-secret"), "-trusted", _server.ChainPemPath, "-newkey", key,
            "-subject", "/CN=DCU-WRONG-SECRET", "-certout", File("wrong.pem")]);
        AssertFailInfo(ir, "badMessageCheck");
        await AssertNothingIssuedFor("DCU-WRONG-SECRET");
    }

    [Test]
    public async Task An_unknown_reference_fails_with_signerNotTrusted()
    {
        var key = await NewKey("unknown");
        var ir = await Cmp(["-cmd", "ir", .. Mac("no-such-reference", "whatever-secret"), "-trusted", _server.ChainPemPath, "-newkey", key,
            "-subject", "/CN=DCU-UNKNOWN-REF", "-certout", File("unknown.pem")]);
        AssertFailInfo(ir, "signerNotTrusted");
        await AssertNothingIssuedFor("DCU-UNKNOWN-REF");
    }

    [Test]
    public async Task A_reused_one_time_secret_fails_with_notAuthorized()
    {
        var key = await NewKey("once");
        var first = await Cmp(["-cmd", "ir", .. Mac(OneTime), "-newkey", key, "-subject", "/CN=DCU-ONCE-1", "-certout", File("once-1.pem")]);
        Assert.That(first.ExitCode, Is.EqualTo(0), first.Describe());
        var second = await Cmp(["-cmd", "ir", .. Mac(OneTime), "-newkey", key, "-subject", "/CN=DCU-ONCE-2", "-certout", File("once-2.pem")]);
        AssertFailInfo(second, "notAuthorized");
        await AssertNothingIssuedFor("DCU-ONCE-2");
    }

    [Test]
    public async Task A_missing_signature_POP_fails_with_badPOP()
    {
        var key = await NewKey("popo");
        // -popo 0 claims raVerified, which a DCU may not (RFC 4211 §4.1).
        var ir = await Cmp(["-cmd", "ir", .. Mac(Reusable), "-newkey", key, "-subject", "/CN=DCU-BAD-POP", "-popo", "0", "-certout", File("popo.pem")]);
        AssertFailInfo(ir, "badPOP");
        await AssertNothingIssuedFor("DCU-BAD-POP");
    }

    [Test]
    public async Task A_PKCS10_CSR_with_a_broken_signature_fails_with_badPOP()
    {
        var dcu = await EnrollAsync();
        var key = await NewKey(dcu.Name + "-broken");
        var der = File(dcu.Name + "-good.der");
        await ExternalProcess.RunCheckedAsync("openssl", "req", "-new", "-key", key, "-subj", "/CN=" + dcu.Name + "-BROKEN", "-outform", "DER", "-out", der);
        var bytes = await System.IO.File.ReadAllBytesAsync(der);
        bytes[^5] ^= 0x01; // inside the ECDSA signature's s INTEGER
        await System.IO.File.WriteAllBytesAsync(File(dcu.Name + "-broken.der"), bytes);
        await ExternalProcess.RunCheckedAsync("openssl", "req", "-inform", "DER", "-in", File(dcu.Name + "-broken.der"), "-out", File(dcu.Name + "-broken.csr"));
        var p10cr = await Cmp(["-cmd", "p10cr", .. Signed(dcu.Certificate, dcu.Key), "-csr", File(dcu.Name + "-broken.csr"), "-certout", File(dcu.Name + "-broken.pem")]);
        AssertFailInfo(p10cr, "badPOP");
        await AssertNothingIssuedFor(dcu.Name + "-BROKEN");
    }

    [Test]
    public async Task A_profile_violation_fails_with_badCertTemplate()
    {
        var key = await NewKey("violation");
        // The dcu profile needs a common name.
        var ir = await Cmp(["-cmd", "ir", .. Mac(Reusable), "-newkey", key, "-subject", "/O=DCU-NO-COMMON-NAME", "-certout", File("violation.pem")]);
        AssertFailInfo(ir, "badCertTemplate");
        await AssertNothingIssuedFor("DCU-NO-COMMON-NAME");
    }

    [Test]
    public async Task A_curve_the_profile_forbids_fails_with_badCertTemplate()
    {
        var key = File("p521.key");
        await ExternalProcess.RunCheckedAsync("openssl", "ecparam", "-name", "secp521r1", "-genkey", "-noout", "-out", key);
        var ir = await Cmp(["-cmd", "ir", .. Mac(Reusable), "-newkey", key, "-subject", "/CN=DCU-P521", "-certout", File("p521.pem")]);
        AssertFailInfo(ir, "badCertTemplate");
        await AssertNothingIssuedFor("DCU-P521");
    }

    [Test]
    public async Task A_labelled_path_serves_the_profile_of_that_name()
    {
        var genm = await ExternalProcess.RunAsync("openssl", ["cmp", "-server", $"127.0.0.1:{_server.HttpPort}/.well-known/cmp/p/dcu", "-cmd", "genm",
            .. Mac(Reusable), "-infotype", "signKeyPairTypes"], null, TimeSpan.FromSeconds(60));
        Assert.That(genm.ExitCode, Is.EqualTo(0), genm.Describe());
        using var http = new HttpClient();
        using var unknown = await http.PostAsync($"http://{Url}/p/no-such-label", Body([0x30, 0x00]));
        Assert.That((int)unknown.StatusCode, Is.EqualTo(404));
    }

    [Test]
    public async Task HTTP_rules_of_RFC_6712_hold()
    {
        using var http = new HttpClient();
        // Garbage with the right media type: a CMP error message, HTTP 200, application/pkixcmp.
        using var garbage = await http.PostAsync($"http://{Url}", Body([0x30, 0x03, 0x02, 0x01, 0x02]));
        Assert.That((int)garbage.StatusCode, Is.EqualTo(200));
        Assert.That(garbage.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/pkixcmp"));
        var parsed = await ExternalProcess.RunAsync("openssl", ["asn1parse", "-inform", "DER"], await garbage.Content.ReadAsByteArrayAsync());
        Assert.That(parsed.StandardOutput, Does.Contain("cont [ 23 ]"), parsed.Describe());
        // Wrong media type and an oversized body are refused at the HTTP level.
        using var wrongType = await http.PostAsync($"http://{Url}", new ByteArrayContent([0x30, 0x00]));
        Assert.That((int)wrongType.StatusCode, Is.EqualTo(415));
        using var huge = await http.PostAsync($"http://{Url}", Body(new byte[1024 * 1024]));
        Assert.That((int)huge.StatusCode, Is.EqualTo(413));
    }

    private static ByteArrayContent Body(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/pkixcmp");
        return content;
    }
}
