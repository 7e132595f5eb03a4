using System.Text.RegularExpressions;
using System.Text;
using AmiPki.Core.Authorization;
using AmiPki.Core.Credentials;
using AmiPki.Core.Devices;
using AmiPki.Core.Profiles;
using AmiPki.Interop.Tests.Support;
using AmiPki.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace AmiPki.Interop.Tests.Authorization;

/// <summary>
/// Who may get which certificate, checked against a real <c>amipki serve</c> with the real clients: every enrollable
/// shipped profile × every protocol (EST with curl, EST-coaps with coap-client-openssl, CMP with openssl cmp, the CLI)
/// × every kind of requester (registered and unregistered meter IDevID, DCU IDevID, a credential bound to another
/// profile, an AmiPki certificate of another profile, a revoked certificate, an administrator). The expected answer of
/// each cell is read from the shipped profile files by the matrix's own rules (the README table), independently of the
/// server's code; a denied request must leave the certificate table untouched. The matrix is printed.
/// </summary>
[CancelAfter(900_000)]
public sealed partial class AuthorizationMatrixInteropTests
{
    private const string MeterTitle = "4D4D4D0000BC614E";
    private const string UnregisteredTitle = "4D4D4D00000000AA";
    private const string DcuTitle = "4D4D4D00DC000001";
    private const string HesName = "hes.utility.example";

    private static readonly string[] EnrollableProfiles = ["meter-s1-tls", "meter-s1-signing", "dcu", "hes-client", "hes-server"];

    private readonly Dictionary<string, string> _cmpSecrets = new(StringComparer.Ordinal);
    private AmiPkiServer _server = null!;
    private string _work = null!;
    private ProfileSet _profiles = null!;
    private int _next;

    private string File(string name) => Path.Combine(_work, name);

    private string EstUrl(string profile, string operation) => $"{_server.HttpsBase}/.well-known/est/{profile}/{operation}";

    private string CoapUrl(string profile, string operation) => $"coaps://127.0.0.1:{_server.CoapsPort}/.well-known/est/{profile}/{operation}";

    private string CmpUrl(string profile) => $"127.0.0.1:{_server.HttpPort}/.well-known/cmp/p/{profile}";

    /// <summary>An EST account (secret) and a CMP reference bound to each profile, to be used for the profiles they are not bound to.</summary>
    private static string Account(string profile) => "acct-" + profile;

    private const string AccountSecret = "matrix-account-secret-1234";

    [OneTimeSetUp]
    public async Task Start()
    {
        _work = Path.Combine(Path.GetTempPath(), "amipki-authz-matrix-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(_work);
        _profiles = ProfileLoader.LoadDirectory(RepositoryPaths.Profiles);

        await FactoryIdentities.CreateManufacturerAsync(_work, "mfr", "/O=Acme Meters/CN=Acme IDevID CA");
        foreach (var (name, title) in new[] { ("registered-meter", MeterTitle), ("unregistered-meter", UnregisteredTitle), ("registered-dcu", DcuTitle) })
        {
            await FactoryIdentities.CreateIDevIdAsync(_work, "mfr", name, $"/O=Acme Meters/serialNumber={name}/CN={title}");
        }
        var manifest = File("manifest.csv");
        await System.IO.File.WriteAllTextAsync(manifest, DeviceManifest.Header + "\n"
            + $"{MeterTitle},{await FactoryIdentities.FingerprintAsync(File("registered-meter.pem"))},,acme,LOT-1,DCU-1,meter\n"
            + $"{DcuTitle},{await FactoryIdentities.FingerprintAsync(File("registered-dcu.pem"))},,acme,LOT-D,,dcu\n");

        _server = await AmiPkiServer.StartAsync(https: true, coaps: true, beforeServe: async data =>
        {
            var anchors = Path.Combine(data, "trust", "manufacturers");
            Directory.CreateDirectory(anchors);
            System.IO.File.Copy(File("mfr.pem"), Path.Combine(anchors, "acme.pem"));
            var import = await AmiPkiServer.RunCliAsync(data, "devices", "import", manifest);
            Assert.That(import.ExitCode, Is.EqualTo(0), import.Describe());
            foreach (var profile in new[] { "dcu", "hes-client", "meter-s1-tls" })
            {
                var added = await AmiPkiServer.RunCliAsync(data, ["cmp-credentials", "add", "--ref", Account(profile), "--profile", profile, "--reusable"]);
                Assert.That(added.ExitCode, Is.EqualTo(0), added.Describe());
                _cmpSecrets[profile] = SecretLine().Match(added.StandardOutput).Groups[1].Value;
            }
            await using var storage = await SqliteStorage.OpenAsync(Path.Combine(data, "amipki.db"), "matrix-setup", TimeProvider.System, CancellationToken.None);
            foreach (var profile in new[] { "dcu", "hes-client", "hes-server" })
            {
                await storage.Credentials.AddAsync(new EnrollmentCredential("est-account", Account(profile), SecretHasher.Hash(AccountSecret), [profile], null, null, false,
                    null, DateTimeOffset.UtcNow), CancellationToken.None);
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

    [Test]
    public async Task Exploit_an_IDevID_cannot_get_a_head_end_server_certificate_over_EST()
    {
        foreach (var device in new[] { "unregistered-meter", "registered-meter" })
        {
            var before = await CountCertificatesAsync();
            var csr = await CsrAsync($"exploit-{device}", "/CN=" + HesName, "DNS:" + HesName);
            var (status, body) = await CurlAsync(["--cert", File(device + ".pem"), "--key", File(device + ".key"), "-H", "Content-Type: application/pkcs10",
                "--data-binary", "@" + csr.Base64, EstUrl("hes-server", "simpleenroll")]);
            Assert.That(status, Is.EqualTo("403"), body);
            Assert.That(body, Does.Contain("does not admit a factory certificate"), body);
            Assert.That(await CountCertificatesAsync(), Is.EqualTo(before), "nothing was issued or reserved");
        }
        var audit = await _server.CliAsync("audit", "verify");
        Assert.That(audit.ExitCode, Is.EqualTo(0), audit.Describe());
    }

    [Test]
    public async Task Exploit_a_meter_certificate_cannot_get_a_dcu_certificate_with_a_cr_to_the_dcu_label()
    {
        var meter = await MeterCertificateAsync();
        var before = await CountCertificatesAsync();
        var key = await KeyAsync("exploit-cr", "ecP256");
        var cr = await CmpAsync(["-server", CmpUrl("dcu"), "-cmd", "cr", "-trusted", _server.ChainPemPath, "-cert", meter.Certificate, "-key", meter.Key,
            "-newkey", key, "-subject", "/CN=" + MeterTitle, "-certout", File("exploit-cr.pem")]);
        Assert.That(cr.ExitCode, Is.Not.EqualTo(0), cr.Describe());
        Assert.That(cr.StandardOutput + cr.StandardError, Does.Contain("PKIFailureInfo: notAuthorized"), cr.Describe());
        Assert.That(System.IO.File.Exists(File("exploit-cr.pem")), Is.False);
        Assert.That(await CountCertificatesAsync(), Is.EqualTo(before), "nothing was issued or reserved");
    }

    [Test]
    public async Task Renewal_is_one_rule_a_superseding_profile_revokes_the_old_certificate_whatever_the_protocol()
    {
        // meter-s1-tls revokes what it renews (renewal.revokeSuperseded): EST-coaps sren once, then again from the same old certificate.
        var meter = await MeterCertificateAsync();
        var (renewed, detail) = await CoapAsync("meter-s1-tls", "sren", meter, meter.Subject);
        Assert.That(renewed, Is.True, detail);
        var show = await _server.CliAsync("show", (await OpenSsl("x509", "-in", meter.Certificate, "-noout", "-serial")).StandardOutput.Trim()["serial=".Length..]);
        Assert.That(show.StandardOutput, Does.Contain("uperseded"), show.Describe());
        var (again, againDetail) = await CoapAsync("meter-s1-tls", "sren", meter, meter.Subject);
        Assert.That(again, Is.False, "the superseded certificate cannot renew again");
        Assert.That(againDetail, Does.Contain("4.03").And.Contain("revoked"));
        // The same certificate over EST simplereenroll: the same rule refuses it.
        var (est, estDetail) = await EstAsync("meter-s1-tls", "simplereenroll", meter, meter.Subject);
        Assert.That(est, Is.False);
        Assert.That(estDetail, Does.Contain("403").And.Contain("revoked"));
    }

    [Test]
    public async Task Every_profile_protocol_and_requester_is_allowed_or_denied_as_the_profiles_declare()
    {
        var meter = await MeterCertificateAsync();
        var dcu = await DcuCertificateAsync();
        var revoked = await RevokedMeterCertificateAsync();
        var cells = new List<Cell>();
        foreach (var name in EnrollableProfiles)
        {
            var profile = _profiles.Find(name)!;
            // Factory certificates: EST (TLS client certificate) and EST-coaps (DTLS client certificate).
            foreach (var (device, title, kind) in new[] { ("registered-meter", MeterTitle, (string?)DeviceKinds.Meter), ("unregistered-meter", UnregisteredTitle, null),
                         ("registered-dcu", DcuTitle, DeviceKinds.Dcu) })
            {
                var expected = FactoryAllowed(profile, EnrollmentProtocol.Est, kind);
                cells.Add(await RunAsync(name, EnrollmentProtocol.Est, device, expected, () => EstAsync(name, "simpleenroll", device, SubjectFor(profile, title))));
                expected = FactoryAllowed(profile, EnrollmentProtocol.EstCoaps, kind);
                cells.Add(await RunAsync(name, EnrollmentProtocol.EstCoaps, device, expected, () => CoapAsync(name, "sen", device, SubjectFor(profile, title))));
            }
            // A credential bound to another profile: an EST account, a CMP reference.
            var otherAccount = name == "hes-client" ? "dcu" : "hes-client";
            cells.Add(await RunAsync(name, EnrollmentProtocol.Est, $"account for {otherAccount}", false,
                () => EstAsync(name, "simpleenroll", null, SubjectFor(profile, MeterTitle), basic: Account(otherAccount))));
            var otherReference = name == "dcu" ? "hes-client" : "dcu";
            cells.Add(await RunAsync(name, EnrollmentProtocol.Cmp, $"reference for {otherReference}", false,
                () => CmpMacAsync(name, otherReference, SubjectFor(profile, MeterTitle))));
            // An AmiPki certificate of another profile, asking for this one (EST simplereenroll, EST-coaps sren, CMP cr).
            var other = name == "meter-s1-tls" ? dcu : meter;
            var otherProfile = name == "meter-s1-tls" ? "dcu" : "meter-s1-tls";
            var expectedOther = RenewalAllowed(profile, EnrollmentProtocol.Est, otherProfile);
            cells.Add(await RunAsync(name, EnrollmentProtocol.Est, $"{otherProfile} certificate", expectedOther,
                () => EstAsync(name, "simplereenroll", other, other.Subject)));
            cells.Add(await RunAsync(name, EnrollmentProtocol.EstCoaps, $"{otherProfile} certificate", RenewalAllowed(profile, EnrollmentProtocol.EstCoaps, otherProfile),
                () => CoapAsync(name, "sren", other, other.Subject)));
            cells.Add(await RunAsync(name, EnrollmentProtocol.Cmp, $"{otherProfile} certificate", RenewalAllowed(profile, EnrollmentProtocol.Cmp, otherProfile),
                () => CmpSignedAsync(name, other, other.Subject)));
        }
        // A revoked certificate, asking to renew within its own profile.
        cells.Add(await RunAsync("meter-s1-signing", EnrollmentProtocol.Est, "revoked certificate", false,
            () => EstAsync("meter-s1-signing", "simplereenroll", revoked, revoked.Subject)));
        cells.Add(await RunAsync("meter-s1-signing", EnrollmentProtocol.EstCoaps, "revoked certificate", false,
            () => CoapAsync("meter-s1-signing", "sren", revoked, revoked.Subject)));
        cells.Add(await RunAsync("meter-s1-signing", EnrollmentProtocol.Cmp, "revoked certificate", false,
            () => CmpSignedAsync("meter-s1-signing", revoked, revoked.Subject)));
        // An administrator at the CLI, for every shipped profile.
        foreach (var profile in _profiles.All.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            var expected = profile.Authorization.Any(r => r.Requester == RuleRequester.Administrator && r.Protocols.Contains(EnrollmentProtocol.Cli));
            cells.Add(await RunAsync(profile.Name, EnrollmentProtocol.Cli, "administrator", expected, () => CliIssueAsync(profile)));
        }

        TestContext.Out.WriteLine($"{"profile",-20} {"protocol",-10} {"requester",-28} {"expected",-8} {"answer",-8} detail");
        foreach (var cell in cells)
        {
            TestContext.Out.WriteLine($"{cell.Profile,-20} {cell.Protocol,-10} {cell.Requester,-28} {(cell.Expected ? "allow" : "deny"),-8} {(cell.Issued ? "issued" : "refused"),-8} {cell.Detail}");
        }
        var wrong = cells.Where(c => c.Expected != c.Issued || (!c.Issued && c.StoredSomething)).ToList();
        Assert.That(wrong, Is.Empty, "cells that disagree with the declared matrix (or stored something when denied):\n"
            + string.Join("\n", wrong.Select(c => $"{c.Profile} {c.Protocol} {c.Requester}: expected {(c.Expected ? "allow" : "deny")}, got {(c.Issued ? "issued" : "refused")}"
                + (c.StoredSomething ? " and stored a row" : "") + $" — {c.Detail}")));
        Assert.That(cells.Count(c => c.Issued), Is.GreaterThan(0), "some cells must be allowed, or the matrix proves nothing");
        Assert.That(cells.Count(c => !c.Issued), Is.GreaterThan(0));
    }

    /// <summary>The README's reading of a factory rule: a registered device of a kind the rule names, or any device when the rule does not need registration.</summary>
    private static bool FactoryAllowed(CertificateProfile profile, string protocol, string? deviceKind) => profile.Authorization.Any(r =>
        r.Requester == RuleRequester.FactoryCertificate && r.Protocols.Contains(protocol)
        && (deviceKind is null ? !r.RegisteredDevice : r.DeviceKinds.Count == 0 || r.DeviceKinds.Contains(deviceKind)));

    /// <summary>A current certificate renews only into its own profile or the successor that profile names.</summary>
    private bool RenewalAllowed(CertificateProfile profile, string protocol, string certificateProfile) =>
        profile.Authorization.Any(r => r.Requester == RuleRequester.CurrentCertificate && r.Protocols.Contains(protocol))
        && (certificateProfile == profile.Name || _profiles.Find(certificateProfile)?.Renewal.Successor == profile.Name);

    private async Task<Cell> RunAsync(string profile, string protocol, string requester, bool expected, Func<Task<(bool Issued, string Detail)>> attempt)
    {
        var before = await CountCertificatesAsync();
        var (issued, detail) = await attempt();
        var after = await CountCertificatesAsync();
        return new Cell(profile, protocol, requester, expected, issued, !issued && after != before, detail.ReplaceLineEndings(" ").Trim());
    }

    private static string SubjectFor(CertificateProfile profile, string systemTitle) => profile.Subject == SubjectRule.DlmsSystemTitle || profile.Name == "dcu"
        ? "/CN=" + systemTitle
        : profile.Name == "hes-server" ? "/CN=" + HesName : "/CN=matrix-" + profile.Name;

    private async Task<(bool, string)> EstAsync(string profile, string operation, object? client, string subject, string? basic = null)
    {
        var csr = await CsrAsync($"est-{Interlocked.Increment(ref _next)}", subject, profile == "hes-server" ? "DNS:" + HesName : null);
        string[] authentication = client switch
        {
            string device => ["--cert", File(device + ".pem"), "--key", File(device + ".key")],
            Issued certificate => ["--cert", certificate.Certificate, "--key", certificate.Key],
            _ => ["--user", $"{basic}:{AccountSecret}"],
        };
        var (status, body) = await CurlAsync([.. authentication, "-H", "Content-Type: application/pkcs10", "--data-binary", "@" + csr.Base64, EstUrl(profile, operation)]);
        return (status == "200", $"HTTP {status} {(status == "200" ? "" : body)}");
    }

    private async Task<(bool, string)> CoapAsync(string profile, string operation, object client, string subject)
    {
        var csr = await CsrAsync($"coap-{Interlocked.Increment(ref _next)}", subject, profile == "hes-server" ? "DNS:" + HesName : null);
        var (certificate, key) = client is Issued issued ? (issued.Certificate, issued.Key) : (File(client + ".pem"), File(client + ".key"));
        var output = csr.Der + ".out";
        var result = await ExternalProcess.RunAsync("coap-client-openssl", ["-B", "30", "-c", certificate, "-j", key, "-C", _server.RootPemPath,
            "-m", "post", "-t", "286", "-A", "287", "-f", csr.Der, "-o", output, CoapUrl(profile, operation)], timeout: TimeSpan.FromSeconds(90));
        var issuedNow = System.IO.File.Exists(output) && new FileInfo(output).Length > 0 && (await System.IO.File.ReadAllBytesAsync(output))[0] == 0x30;
        var printed = (result.StandardOutput + result.StandardError).Trim();
        return (issuedNow, issuedNow ? "2.04" : printed.Length > 160 ? printed[..160] : printed);
    }

    private async Task<(bool, string)> CmpMacAsync(string profile, string reference, string subject)
    {
        var key = await KeyAsync($"cmp-{Interlocked.Increment(ref _next)}", "ecP256");
        var output = key + ".pem";
        var result = await CmpAsync(["-server", CmpUrl(profile), "-cmd", "ir", "-recipient", "/CN=AmiPki", "-ref", Account(reference), "-secret", "pass:" + _cmpSecrets[reference],
            "-newkey", key, "-subject", subject, .. profile == "hes-server" ? new[] { "-sans", HesName } : [], "-certout", output]);
        return CmpOutcome(result, output);
    }

    private async Task<(bool, string)> CmpSignedAsync(string profile, Issued signer, string subject)
    {
        var key = await KeyAsync($"cmp-{Interlocked.Increment(ref _next)}", "ecP256");
        var output = key + ".pem";
        var result = await CmpAsync(["-server", CmpUrl(profile), "-cmd", "cr", "-trusted", _server.ChainPemPath, "-cert", signer.Certificate, "-key", signer.Key,
            "-newkey", key, "-subject", subject, "-certout", output]);
        return CmpOutcome(result, output);
    }

    private static (bool, string) CmpOutcome(ProcessResult result, string output)
    {
        var issued = result.ExitCode == 0 && System.IO.File.Exists(output);
        var failure = Regex.Match(result.StandardOutput + result.StandardError, @"PKIFailureInfo: \w+|HTTP[^\n]{0,60}|status[^\n]{0,60}");
        return (issued, issued ? "cp" : failure.Success ? failure.Value : $"exit {result.ExitCode}");
    }

    private async Task<(bool, string)> CliIssueAsync(CertificateProfile profile)
    {
        var algorithm = profile.KeyAlgorithms[0].ToString();
        var san = profile.SubjectAltNameRequired ? "DNS:cli-matrix.example" : null;
        var subject = profile.Subject == SubjectRule.DlmsSystemTitle ? "/CN=" + MeterTitle : "/CN=cli-matrix-" + profile.Name;
        var csr = await CsrAsync($"cli-{profile.Name}", subject, san, algorithm);
        var output = File($"cli-{profile.Name}.pem");
        var result = await _server.CliAsync("issue", "--profile", profile.Name, "--csr", csr.Der, "--out", output);
        return (result.ExitCode == 0 && System.IO.File.Exists(output), result.ExitCode == 0 ? "exit 0" : result.StandardError.Trim());
    }

    /// <summary>The registered meter's meter-s1-tls certificate, enrolled over EST-coaps with its IDevID.</summary>
    private async Task<Issued> MeterCertificateAsync()
    {
        var csr = await CsrAsync("meter-tls-" + Guid.NewGuid().ToString("N")[..6], "/CN=" + MeterTitle);
        var der = csr.Der + ".cert.der";
        var result = await ExternalProcess.RunAsync("coap-client-openssl", ["-B", "30", "-c", File("registered-meter.pem"), "-j", File("registered-meter.key"),
            "-C", _server.RootPemPath, "-m", "post", "-t", "286", "-A", "287", "-f", csr.Der, "-o", der, CoapUrl("meter-s1-tls", "sen")], timeout: TimeSpan.FromSeconds(90));
        Assert.That(System.IO.File.Exists(der), Is.True, result.Describe() + _server.Log);
        var pem = csr.Der + ".cert.pem";
        await OpenSsl("x509", "-inform", "DER", "-in", der, "-out", pem);
        return new Issued(pem, csr.Key, "/CN=" + MeterTitle);
    }

    /// <summary>A DCU certificate enrolled over CMP with the reference bound to dcu.</summary>
    private async Task<Issued> DcuCertificateAsync()
    {
        var key = await KeyAsync("dcu-current", "ecP256");
        var pem = File("dcu-current.pem");
        var ir = await CmpAsync(["-server", CmpUrl("dcu"), "-cmd", "ir", "-recipient", "/CN=AmiPki", "-ref", Account("dcu"), "-secret", "pass:" + _cmpSecrets["dcu"],
            "-newkey", key, "-subject", "/CN=DCU-MATRIX-1", "-certout", pem]);
        Assert.That(ir.ExitCode, Is.EqualTo(0), ir.Describe());
        return new Issued(pem, key, "/CN=DCU-MATRIX-1");
    }

    /// <summary>A meter-s1-signing certificate an admin issued and then revoked.</summary>
    private async Task<Issued> RevokedMeterCertificateAsync()
    {
        var csr = await CsrAsync("revoked", "/CN=" + MeterTitle);
        var pem = File("revoked.pem");
        var issue = await _server.CliAsync("issue", "--profile", "meter-s1-signing", "--csr", csr.Der, "--out", pem);
        Assert.That(issue.ExitCode, Is.EqualTo(0), issue.Describe());
        var serial = (await OpenSsl("x509", "-in", pem, "-noout", "-serial")).StandardOutput.Trim()["serial=".Length..];
        var revoke = await _server.CliAsync("revoke", "--serial", serial, "--reason", "keyCompromise");
        Assert.That(revoke.ExitCode, Is.EqualTo(0), revoke.Describe());
        return new Issued(pem, csr.Key, "/CN=" + MeterTitle);
    }

    /// <summary>Rows in the certificate table (reserved, signed or failed): a denied request must not add one.</summary>
    private async Task<long> CountCertificatesAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_server.DataDirectory, "amipki.db")};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM certificates";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<(string Status, string Body)> CurlAsync(string[] arguments)
    {
        var bodyFile = File("curl-body-" + Guid.NewGuid().ToString("N")[..8]);
        var result = await ExternalProcess.RunAsync("curl", ["-sS", "--max-time", "60", "--cacert", _server.RootPemPath, "-w", "%{http_code}", "-o", bodyFile, .. arguments],
            null, TimeSpan.FromSeconds(90));
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Describe());
        return (result.StandardOutput.Trim(), System.IO.File.Exists(bodyFile) ? (await System.IO.File.ReadAllTextAsync(bodyFile)).Trim() : "");
    }

    private Task<ProcessResult> CmpAsync(string[] arguments) => ExternalProcess.RunAsync("openssl", ["cmp", .. arguments], null, TimeSpan.FromSeconds(60));

    private async Task<string> KeyAsync(string name, string algorithm)
    {
        var key = File(name + ".key");
        if (algorithm.StartsWith("Rsa", StringComparison.OrdinalIgnoreCase))
        {
            await OpenSsl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key);
        }
        else
        {
            await OpenSsl("ecparam", "-name", algorithm.Equals("EcP384", StringComparison.OrdinalIgnoreCase) ? "secp384r1" : "prime256v1", "-genkey", "-noout", "-out", key);
        }
        return key;
    }

    /// <summary>A fresh key and CSR (DER, and base64 for EST over HTTPS, RFC 7030 §4.2.1).</summary>
    private async Task<(string Key, string Der, string Base64)> CsrAsync(string name, string subject, string? san = null, string algorithm = "EcP256")
    {
        var key = await KeyAsync(name, algorithm);
        var der = File(name + ".csr.der");
        await OpenSsl(["req", "-new", "-key", key, "-subj", subject, .. san is null ? [] : new[] { "-addext", "subjectAltName=" + san }, "-outform", "DER", "-out", der]);
        var base64 = File(name + ".csr.b64");
        await System.IO.File.WriteAllTextAsync(base64, Convert.ToBase64String(await System.IO.File.ReadAllBytesAsync(der)), Encoding.ASCII);
        return (key, der, base64);
    }

    private static Task<ProcessResult> OpenSsl(params string[] arguments) => ExternalProcess.RunCheckedAsync("openssl", arguments);

    private sealed record Issued(string Certificate, string Key, string Subject);

    private sealed record Cell(string Profile, string Protocol, string Requester, bool Expected, bool Issued, bool StoredSomething, string Detail);
}
