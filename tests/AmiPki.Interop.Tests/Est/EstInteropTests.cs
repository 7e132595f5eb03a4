using System.Text;
using AmiPki.Core.Credentials;
using AmiPki.Interop.Tests.Support;
using AmiPki.Storage.Sqlite;

namespace AmiPki.Interop.Tests.Est;

/// <summary>
/// EST over HTTPS (RFC 7030) against a real <c>amipki serve</c> on 127.0.0.1, driven by real curl and openssl
/// processes: cacerts, csrattrs, simpleenroll (Basic and factory IDevID), simplereenroll, serverkeygen and every
/// bad-input answer. The manufacturer CA and the IDevID are made with openssl at test time.
/// </summary>
public sealed class EstInteropTests
{
    private const string Account = "hes-interop";
    private const string Secret = "interop-secret-1234";
    private const string SystemTitle = "4D4D4D0000BC614E";

    private AmiPkiServer _server = null!;
    private string _work = null!;

    private string Url(string path) => $"{_server.HttpsBase}/.well-known/est/{path}";

    private string File(string name) => Path.Combine(_work, name);

    [OneTimeSetUp]
    public async Task Start()
    {
        _work = Path.Combine(Path.GetTempPath(), "amipki-est-interop-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(_work);
        // A throwaway manufacturer CA and one meter's IDevID, made by openssl as a factory would.
        await OpenSsl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", File("mfr.key"), "-out", File("mfr.pem"),
            "-days", "3650", "-subj", "/O=Acme Meters/CN=Acme IDevID CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        await OpenSsl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", File("idevid.key"),
            "-subj", $"/O=Acme Meters/CN={SystemTitle}", "-out", File("idevid.csr"));
        await System.IO.File.WriteAllTextAsync(File("idevid.ext"), "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n");
        await OpenSsl("x509", "-req", "-in", File("idevid.csr"), "-CA", File("mfr.pem"), "-CAkey", File("mfr.key"), "-CAcreateserial",
            "-days", "3650", "-extfile", File("idevid.ext"), "-out", File("idevid.pem"));
        var fingerprint = (await OpenSsl("x509", "-in", File("idevid.pem"), "-noout", "-fingerprint", "-sha256")).StandardOutput.Trim();
        fingerprint = fingerprint[(fingerprint.IndexOf('=', StringComparison.Ordinal) + 1)..];

        _server = await AmiPkiServer.StartAsync(https: true, beforeServe: async data =>
        {
            // Register the manufacturer anchor and the device (amipki devices import), and an EST Basic account.
            var anchors = Path.Combine(data, "trust", "manufacturers");
            Directory.CreateDirectory(anchors);
            System.IO.File.Copy(File("mfr.pem"), Path.Combine(anchors, "acme.pem"));
            var manifest = Path.Combine(_work, "manifest.csv");
            await System.IO.File.WriteAllTextAsync(manifest, $"system_title,idevid_sha256,idevid_serial,manufacturer,lot,dcu,kind\n{SystemTitle},{fingerprint},,acme,LOT-7,DCU-1,meter\n");
            var import = await AmiPkiServer.RunCliAsync(data, "devices", "import", manifest);
            Assert.That(import.ExitCode, Is.EqualTo(0), import.Describe());
            var list = await AmiPkiServer.RunCliAsync(data, "devices", "list");
            Assert.That(list.StandardOutput, Does.Match($"{SystemTitle} +meter +acme"), list.Describe());
            await using var storage = await SqliteStorage.OpenAsync(Path.Combine(data, "amipki.db"), "interop-setup", TimeProvider.System, CancellationToken.None);
            await storage.Credentials.AddAsync(new EnrollmentCredential("est-account", Account, SecretHasher.Hash(Secret), ["hes-client"], null, null, false, null,
                DateTimeOffset.UtcNow), CancellationToken.None);
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

    [TestCase("1.2")]
    [TestCase("1.3")]
    public async Task Cacerts_reads_with_openssl_pkcs7_over_TLS(string version)
    {
        var tls = version == "1.2" ? new[] { "--tlsv1.2", "--tls-max", "1.2" } : ["--tlsv1.3"];
        var (status, _) = await Curl([.. tls, "-o", File($"cacerts{version}.b64"), Url("cacerts")]);
        Assert.That(status, Is.EqualTo("200"));
        await OpenSsl("base64", "-d", "-in", File($"cacerts{version}.b64"), "-out", File($"cacerts{version}.der"));
        var certs = await OpenSsl("pkcs7", "-inform", "DER", "-in", File($"cacerts{version}.der"), "-print_certs", "-noout");
        Assert.That(certs.StandardOutput, Does.Contain("AmiPki Issuing CA Suite 1").And.Contain("AmiPki Development Root CA"));
    }

    [Test]
    public async Task Csrattrs_reads_with_openssl_asn1parse()
    {
        var (status, _) = await Curl(["-o", File("csrattrs.b64"), Url("csrattrs")]);
        Assert.That(status, Is.EqualTo("200"));
        await OpenSsl("base64", "-d", "-in", File("csrattrs.b64"), "-out", File("csrattrs.der"));
        var parsed = await OpenSsl("asn1parse", "-inform", "DER", "-in", File("csrattrs.der"));
        Assert.That(parsed.StandardOutput, Does.Contain("id-ecPublicKey").And.Contain("prime256v1").And.Contain("ecdsa-with-SHA256"));
    }

    [Test]
    public async Task Simpleenroll_with_Basic_then_simplereenroll_with_the_issued_certificate()
    {
        await NewCsrAsync("hes", "/CN=hes-interop.example");
        var (status, body) = await Curl(["--user", $"{Account}:{Secret}", "-H", "Content-Type: application/pkcs10", "--data-binary", $"@{File("hes.csr.b64")}",
            "-o", File("hes.p7.b64"), Url("simpleenroll")]);
        Assert.That(status, Is.EqualTo("200"), body);
        await CertificateFromAsync("hes.p7.b64", "hes.pem");
        var verify = await ExternalProcess.RunAsync("openssl", "verify", "-CAfile", _server.ChainPemPath, File("hes.pem"));
        Assert.That(verify.ExitCode, Is.EqualTo(0), verify.Describe());

        // Re-enroll with the certificate just issued as the TLS client certificate, new key, same subject (RFC 7030 §4.2.2).
        await NewCsrAsync("hes2", "/CN=hes-interop.example");
        (status, body) = await Curl(["--cert", File("hes.pem"), "--key", File("hes.key"), "-H", "Content-Type: application/pkcs10",
            "--data-binary", $"@{File("hes2.csr.b64")}", "-o", File("hes2.p7.b64"), Url("simplereenroll")]);
        Assert.That(status, Is.EqualTo("200"), body);
        await CertificateFromAsync("hes2.p7.b64", "hes2.pem");
        var subjects = await Task.WhenAll(Subject("hes.pem"), Subject("hes2.pem"));
        Assert.That(subjects[1], Is.EqualTo(subjects[0]));
        Assert.That(await Serial("hes2.pem"), Is.Not.EqualTo(await Serial("hes.pem")));

        // A renewal that changes the subject is refused.
        await NewCsrAsync("other", "/CN=someone-else.example");
        (status, body) = await Curl(["--cert", File("hes.pem"), "--key", File("hes.key"), "-H", "Content-Type: application/pkcs10",
            "--data-binary", $"@{File("other.csr.b64")}", Url("simplereenroll")]);
        Assert.That(status, Is.EqualTo("400"));
        Assert.That(body, Does.Contain("subject"));
    }

    [Test]
    public async Task Simpleenroll_with_a_factory_IDevID_client_certificate()
    {
        await NewCsrAsync("meter", $"/CN={SystemTitle}");
        var (status, body) = await Curl(["--cert", File("idevid.pem"), "--key", File("idevid.key"), "-H", "Content-Type: application/pkcs10",
            "--data-binary", $"@{File("meter.csr.b64")}", "-o", File("meter.p7.b64"), Url("meter-s1-tls/simpleenroll")]);
        Assert.That(status, Is.EqualTo("200"), body);
        await CertificateFromAsync("meter.p7.b64", "meter.pem");
        Assert.That(await Subject("meter.pem"), Does.Contain(SystemTitle));
    }

    [Test]
    public async Task Serverkeygen_key_matches_its_certificate()
    {
        await NewCsrAsync("skg", "/CN=skg-interop.example");
        var (status, body) = await Curl(["--user", $"{Account}:{Secret}", "-H", "Content-Type: application/pkcs10",
            "--data-binary", $"@{File("skg.csr.b64")}", "-D", File("skg.headers"), "-o", File("skg.multipart"), Url("serverkeygen")]);
        Assert.That(status, Is.EqualTo("200"), body);
        var headers = await System.IO.File.ReadAllTextAsync(File("skg.headers"));
        var boundary = headers.Split('\n').Single(l => l.StartsWith("content-type:", StringComparison.OrdinalIgnoreCase)).Split("boundary=")[1].Trim().Trim('"');
        var parts = (await System.IO.File.ReadAllTextAsync(File("skg.multipart"))).Split("--" + boundary)
            .Where(p => p.Contains("Content-Type", StringComparison.Ordinal)).ToList();
        Assert.That(parts, Has.Count.EqualTo(2));
        Assert.That(parts[0], Does.Contain("application/pkcs8"));
        Assert.That(parts[1], Does.Contain("certs-only"));
        await System.IO.File.WriteAllTextAsync(File("skg.key.b64"), PartBody(parts[0]));
        await System.IO.File.WriteAllTextAsync(File("skg.p7.b64"), PartBody(parts[1]));
        await OpenSsl("base64", "-d", "-in", File("skg.key.b64"), "-out", File("skg.key.der"));
        await CertificateFromAsync("skg.p7.b64", "skg.pem");
        var keyPublic = await OpenSsl("pkey", "-inform", "DER", "-in", File("skg.key.der"), "-pubout");
        var certificatePublic = await OpenSsl("x509", "-in", File("skg.pem"), "-pubkey", "-noout");
        Assert.That(keyPublic.StandardOutput, Is.EqualTo(certificatePublic.StandardOutput));
    }

    [Test]
    public async Task Wrong_content_type_is_415()
    {
        await NewCsrAsync("ct", "/CN=hes-interop.example");
        var (status, _) = await Curl(["--user", $"{Account}:{Secret}", "-H", "Content-Type: text/plain", "--data-binary", $"@{File("ct.csr.b64")}", Url("simpleenroll")]);
        Assert.That(status, Is.EqualTo("415"));
    }

    [Test]
    public async Task Body_over_64_KiB_is_413()
    {
        await System.IO.File.WriteAllTextAsync(File("big.b64"), new string('A', 80 * 1024));
        var (status, _) = await Curl(["--user", $"{Account}:{Secret}", "-H", "Content-Type: application/pkcs10", "--data-binary", $"@{File("big.b64")}", Url("simpleenroll")]);
        Assert.That(status, Is.EqualTo("413"));
    }

    [Test]
    public async Task Undecodable_base64_is_400()
    {
        await System.IO.File.WriteAllTextAsync(File("junk.b64"), "%%% not base64 %%%");
        var (status, body) = await Curl(["--user", $"{Account}:{Secret}", "-H", "Content-Type: application/pkcs10", "--data-binary", $"@{File("junk.b64")}", Url("simpleenroll")]);
        Assert.That(status, Is.EqualTo("400"));
        Assert.That(body.Trim(), Does.Contain("base64").And.Not.Contain("\n"));
    }

    [Test]
    public async Task Undecodable_DER_is_400()
    {
        await System.IO.File.WriteAllTextAsync(File("notder.b64"), Convert.ToBase64String(Encoding.ASCII.GetBytes("hello, not a CSR")));
        var (status, _) = await Curl(["--user", $"{Account}:{Secret}", "-H", "Content-Type: application/pkcs10", "--data-binary", $"@{File("notder.b64")}", Url("simpleenroll")]);
        Assert.That(status, Is.EqualTo("400"));
    }

    [Test]
    public async Task CSR_with_a_broken_signature_is_400()
    {
        await NewCsrAsync("tamper", "/CN=hes-interop.example");
        var der = await System.IO.File.ReadAllBytesAsync(File("tamper.csr.der"));
        der[^3] ^= 0x55;
        await System.IO.File.WriteAllTextAsync(File("tamper.bad.b64"), Convert.ToBase64String(der));
        var (status, body) = await Curl(["--user", $"{Account}:{Secret}", "-H", "Content-Type: application/pkcs10", "--data-binary", $"@{File("tamper.bad.b64")}", Url("simpleenroll")]);
        Assert.That(status, Is.EqualTo("400"));
        Assert.That(body, Does.Contain("signature").Or.Contain("DER"));
    }

    [Test]
    public async Task Profile_violation_is_400_with_a_reason()
    {
        await OpenSsl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", File("rsa.key"), "-subj", "/CN=hes-interop.example", "-outform", "DER", "-out", File("rsa.csr.der"));
        await OpenSsl("base64", "-in", File("rsa.csr.der"), "-out", File("rsa.csr.b64"));
        var (status, body) = await Curl(["--user", $"{Account}:{Secret}", "-H", "Content-Type: application/pkcs10", "--data-binary", $"@{File("rsa.csr.b64")}", Url("simpleenroll")]);
        Assert.That(status, Is.EqualTo("400"));
        Assert.That(body, Does.Contain("Rsa2048"));
    }

    [Test]
    public async Task Unknown_label_is_404()
    {
        var (status, _) = await Curl([Url("no-such-label/cacerts")]);
        Assert.That(status, Is.EqualTo("404"));
    }

    [Test]
    public async Task Missing_credentials_are_401_with_WWW_Authenticate()
    {
        await NewCsrAsync("anon", "/CN=hes-interop.example");
        var (status, _) = await Curl(["-D", File("anon.headers"), "-H", "Content-Type: application/pkcs10", "--data-binary", $"@{File("anon.csr.b64")}", Url("simpleenroll")]);
        Assert.That(status, Is.EqualTo("401"));
        Assert.That(await System.IO.File.ReadAllTextAsync(File("anon.headers")), Does.Contain("www-authenticate: Basic realm=").IgnoreCase);
    }

    [Test]
    public async Task Wrong_secret_is_401_and_wrong_profile_is_403()
    {
        await NewCsrAsync("wrong", "/CN=hes-interop.example");
        var (status, _) = await Curl(["--user", $"{Account}:not-the-secret", "-H", "Content-Type: application/pkcs10", "--data-binary", $"@{File("wrong.csr.b64")}", Url("simpleenroll")]);
        Assert.That(status, Is.EqualTo("401"));
        (status, _) = await Curl(["--user", $"{Account}:{Secret}", "-H", "Content-Type: application/pkcs10", "--data-binary", $"@{File("wrong.csr.b64")}", Url("hes-server/simpleenroll")]);
        Assert.That(status, Is.EqualTo("403"));
    }

    private static string PartBody(string part)
    {
        var start = part.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return part[(start + 4)..].Trim();
    }

    private async Task NewCsrAsync(string name, string subject)
    {
        await OpenSsl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", File($"{name}.key"),
            "-subj", subject, "-outform", "DER", "-out", File($"{name}.csr.der"));
        await OpenSsl("base64", "-in", File($"{name}.csr.der"), "-out", File($"{name}.csr.b64"));
    }

    private async Task CertificateFromAsync(string base64File, string pemFile)
    {
        await OpenSsl("base64", "-d", "-in", File(base64File), "-out", File(base64File + ".der"));
        await OpenSsl("pkcs7", "-inform", "DER", "-in", File(base64File + ".der"), "-print_certs", "-out", File(pemFile));
    }

    private async Task<string> Subject(string pemFile) => (await OpenSsl("x509", "-in", File(pemFile), "-noout", "-subject")).StandardOutput.Trim();

    private async Task<string> Serial(string pemFile) => (await OpenSsl("x509", "-in", File(pemFile), "-noout", "-serial")).StandardOutput.Trim();

    /// <returns>The HTTP status and, when no -o was given, the body.</returns>
    private async Task<(string Status, string Body)> Curl(string[] arguments)
    {
        var hasOutput = arguments.Contains("-o");
        var bodyFile = File("curl-body-" + Guid.NewGuid().ToString("N")[..8]);
        string[] all = ["-sS", "--max-time", "60", "--cacert", _server.RootPemPath, "-w", "%{http_code}", .. hasOutput ? [] : new[] { "-o", bodyFile }, .. arguments];
        var result = await ExternalProcess.RunAsync("curl", all, null, TimeSpan.FromSeconds(90));
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Describe());
        var body = !hasOutput && System.IO.File.Exists(bodyFile) ? await System.IO.File.ReadAllTextAsync(bodyFile) : "";
        return (result.StandardOutput.Trim(), body);
    }

    private static Task<ProcessResult> OpenSsl(params string[] arguments) => ExternalProcess.RunCheckedAsync("openssl", arguments);
}
