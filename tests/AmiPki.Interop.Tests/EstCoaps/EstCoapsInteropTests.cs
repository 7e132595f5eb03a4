using AmiPki.Interop.Tests.Revocation;
using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.EstCoaps;

/// <summary>
/// EST-coaps (RFC 9148) against a real <c>amipki serve</c> on 127.0.0.1, driven by libcoap's <c>coap-client-openssl</c>
/// over DTLS 1.2 with the meter's certificate, and by <c>openssl s_client -dtls1_2</c>. coap-client exits 0 even when
/// the server answers 4.xx, so every test reads its output (and the files it wrote). The manufacturer CAs and the
/// IDevIDs are made with openssl at test time.
/// </summary>
[CancelAfter(300_000)]
public sealed class EstCoapsInteropTests
{
    private const string SystemTitle = "4D4D4D0000BC614E";
    private const string SecondSystemTitle = "4D4D4D0000BC614F";
    private const string UnregisteredSystemTitle = "4D4D4D00000000AA";

    private AmiPkiServer _server = null!;
    private string _work = null!;

    private string Url(string path) => $"coaps://127.0.0.1:{_server.CoapsPort}/.well-known/{path}";

    private string File(string name) => Path.Combine(_work, name);

    [OneTimeSetUp]
    public async Task Start()
    {
        _work = Path.Combine(Path.GetTempPath(), "amipki-coaps-interop-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(_work);
        // A registered manufacturer with two registered meters and one it made but never declared; and a rogue CA
        // nobody registered, with a meter of its own.
        await ManufacturerCaAsync("mfr", "/O=Acme Meters/CN=Acme IDevID CA");
        await ManufacturerCaAsync("rogue", "/O=Rogue Meters/CN=Rogue IDevID CA");
        await IDevIdAsync("mfr", "idevid", SystemTitle);
        await IDevIdAsync("mfr", "idevid2", SecondSystemTitle);
        await IDevIdAsync("mfr", "undeclared", UnregisteredSystemTitle);
        await IDevIdAsync("rogue", "unknown", SystemTitle);
        var manifest = File("manifest.csv");
        await System.IO.File.WriteAllTextAsync(manifest, "system_title,idevid_sha256,idevid_serial,manufacturer,lot,dcu\n"
            + $"{SystemTitle},{await FingerprintAsync("idevid.pem")},,acme,LOT-7,DCU-1\n"
            + $"{SecondSystemTitle},{await FingerprintAsync("idevid2.pem")},,acme,LOT-7,DCU-1\n");

        _server = await AmiPkiServer.StartAsync(coaps: true, beforeServe: async data =>
        {
            var anchors = Path.Combine(data, "trust", "manufacturers");
            Directory.CreateDirectory(anchors);
            System.IO.File.Copy(File("mfr.pem"), Path.Combine(anchors, "acme.pem"));
            var import = await AmiPkiServer.RunCliAsync(data, "devices", "import", manifest);
            Assert.That(import.ExitCode, Is.EqualTo(0), import.Describe());
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

    [Test]
    public async Task Discovery_lists_the_EST_resources_with_their_resource_types()
    {
        var result = await CoapAsync("idevid", ["-m", "get", $"coaps://127.0.0.1:{_server.CoapsPort}/.well-known/core?rt=ace.est*"]);
        var links = result.StandardOutput;
        foreach (var operation in new[] { "crts", "sen", "sren", "att", "skg" })
        {
            Assert.That(links, Does.Contain($"</.well-known/est/{operation}>;rt=\"ace.est.{operation}\""), Describe(result));
        }

        Assert.That(links, Does.Contain("</.well-known/est/sen>;rt=\"ace.est.sen\";ct=\"281 287\""));
        Assert.That(links, Does.Contain("</.well-known/est/skg>;rt=\"ace.est.skg\";ct=62"));
    }

    [Test]
    public async Task Crts_is_the_CA_chain_as_certs_only_that_openssl_reads()
    {
        var result = await CoapAsync("idevid", ["-m", "get", "-A", "281", "-o", File("crts.p7"), Url("est/crts")]);
        Assert.That(System.IO.File.Exists(File("crts.p7")), Is.True, Describe(result));
        var certificates = await OpenSsl("pkcs7", "-inform", "DER", "-in", File("crts.p7"), "-print_certs", "-noout");
        Assert.That(certificates.StandardOutput, Does.Contain("AmiPki Issuing CA Suite 1").And.Contain("AmiPki Development Root CA"));

        // Accept 287: only the issuing CA, one DER certificate.
        result = await CoapAsync("idevid", ["-m", "get", "-A", "287", "-o", File("crts.der"), Url("est/crts")]);
        Assert.That(System.IO.File.Exists(File("crts.der")), Is.True, Describe(result));
        var single = await OpenSsl("x509", "-inform", "DER", "-in", File("crts.der"), "-noout", "-subject");
        Assert.That(single.StandardOutput, Does.Contain("AmiPki Issuing CA Suite 1"));
    }

    [TestCase(64)]
    [TestCase(1024)]
    public async Task Sen_with_the_factory_IDevID_issues_a_certificate_that_openssl_verifies(int blockSize)
    {
        var certificate = await EnrollAsync("idevid", $"sen{blockSize}", SystemTitle, blockSize);
        var verify = await ExternalProcess.RunAsync("openssl", "verify", "-x509_strict", "-CAfile", _server.ChainPemPath, certificate);
        Assert.That(verify.ExitCode, Is.EqualTo(0), verify.Describe());
        Assert.That(await SubjectAsync(certificate), Does.Contain($"CN = {SystemTitle}"));
    }

    [Test]
    public async Task Sren_with_the_issued_certificate_renews_it_with_the_same_subject()
    {
        var first = await EnrollAsync("idevid", "renew-me", SystemTitle, 64);
        await CsrAsync("renewed", SystemTitle);
        var result = await CoapAsync(first, File("renew-me.key"),
            ["-m", "post", "-t", "286", "-A", "287", "-b", "64", "-f", File("renewed.csr.der"), "-o", File("renewed.der"), Url("est/sren")]);
        Assert.That(System.IO.File.Exists(File("renewed.der")), Is.True, Describe(result));
        await OpenSsl("x509", "-inform", "DER", "-in", File("renewed.der"), "-out", File("renewed.pem"));
        Assert.That(await SubjectAsync(File("renewed.pem")), Is.EqualTo(await SubjectAsync(first)));
        Assert.That(await SerialAsync(File("renewed.pem")), Is.Not.EqualTo(await SerialAsync(first)));
        var verify = await ExternalProcess.RunAsync("openssl", "verify", "-CAfile", _server.ChainPemPath, File("renewed.pem"));
        Assert.That(verify.ExitCode, Is.EqualTo(0), verify.Describe());
    }

    [Test]
    public async Task Att_is_the_profiles_csr_attributes()
    {
        var result = await CoapAsync("idevid", ["-m", "get", "-A", "285", "-o", File("att.der"), Url("est/att")]);
        Assert.That(System.IO.File.Exists(File("att.der")), Is.True, Describe(result));
        var parsed = await OpenSsl("asn1parse", "-inform", "DER", "-in", File("att.der"));
        Assert.That(parsed.StandardOutput, Does.Contain("id-ecPublicKey").And.Contain("prime256v1").And.Contain("ecdsa-with-SHA256"));
    }

    [Test]
    public async Task A_labelled_path_selects_that_profile()
    {
        await CsrAsync("labelled", SecondSystemTitle);
        var result = await CoapAsync("idevid2", ["-m", "post", "-t", "286", "-b", "64", "-f", File("labelled.csr.der"), "-o", File("labelled.p7"),
            Url("est/meter-s1-signing/sen")]);
        Assert.That(System.IO.File.Exists(File("labelled.p7")), Is.True, Describe(result));
        var certificate = await OpenSsl("pkcs7", "-inform", "DER", "-in", File("labelled.p7"), "-print_certs", "-out", File("labelled.pem"));
        Assert.That(certificate.ExitCode, Is.EqualTo(0));
        var text = await OpenSsl("x509", "-in", File("labelled.pem"), "-noout", "-ext", "keyUsage");
        Assert.That(text.StandardOutput, Does.Contain("Digital Signature").And.Not.Contain("Key Agreement"));
    }

    [Test]
    public async Task A_wrong_content_format_is_4_15_and_an_unproducible_accept_is_4_06()
    {
        await CsrAsync("badformat", SystemTitle);
        var result = await CoapAsync("idevid", ["-m", "post", "-t", "0", "-f", File("badformat.csr.der"), Url("est/sen")]);
        Assert.That(result.StandardOutput + result.StandardError, Does.Contain("4.15"), Describe(result));

        result = await CoapAsync("idevid", ["-m", "get", "-A", "40", Url("est/crts")]);
        Assert.That(result.StandardOutput + result.StandardError, Does.Contain("4.06"), Describe(result));

        result = await CoapAsync("idevid", ["-m", "get", Url("est/no-such-label/crts")]);
        Assert.That(result.StandardOutput + result.StandardError, Does.Contain("4.04"), Describe(result));
    }

    [Test]
    public async Task A_csr_for_another_system_title_is_4_03()
    {
        await CsrAsync("stolen", SecondSystemTitle);
        var result = await CoapAsync("idevid", ["-m", "post", "-t", "286", "-f", File("stolen.csr.der"), "-o", File("stolen.p7"), Url("est/sen")]);
        Assert.That(result.StandardOutput + result.StandardError, Does.Contain("4.03").And.Contain("system title"), Describe(result));
    }

    [Test]
    public async Task Without_a_client_certificate_no_session_is_established()
    {
        await CsrAsync("anonymous", SystemTitle);
        var result = await ExternalProcess.RunAsync("coap-client-openssl",
            ["-B", "10", "-C", _server.RootPemPath, "-m", "post", "-t", "286", "-f", File("anonymous.csr.der"), "-o", File("anonymous.p7"), Url("est/sen")],
            timeout: TimeSpan.FromSeconds(60));
        Assert.That(System.IO.File.Exists(File("anonymous.p7")), Is.False, Describe(result));
        Assert.That(result.StandardOutput + result.StandardError, Does.Contain("handshake failure"), Describe(result));
    }

    [Test]
    public async Task An_IDevID_of_an_unregistered_manufacturer_gets_no_session()
    {
        await CsrAsync("rogue-meter", SystemTitle);
        var result = await CoapAsync("unknown", ["-m", "post", "-t", "286", "-f", File("rogue-meter.csr.der"), "-o", File("rogue-meter.p7"), Url("est/sen")]);
        Assert.That(System.IO.File.Exists(File("rogue-meter.p7")), Is.False, Describe(result));
        Assert.That(result.StandardOutput + result.StandardError, Does.Contain("alert"), Describe(result));
    }

    [Test]
    public async Task An_IDevID_missing_from_the_device_registry_is_4_03()
    {
        await CsrAsync("undeclared-meter", UnregisteredSystemTitle);
        var result = await CoapAsync("undeclared", ["-m", "post", "-t", "286", "-f", File("undeclared-meter.csr.der"), "-o", File("undeclared-meter.p7"), Url("est/sen")]);
        Assert.That(result.StandardOutput + result.StandardError, Does.Contain("4.03").And.Contain("device registry"), Describe(result));
    }

    [Test]
    public async Task A_revoked_certificate_cannot_renew()
    {
        var certificate = await EnrollAsync("idevid2", "to-revoke", SecondSystemTitle, 1024);
        var revoke = await RevocationAdmin.RunAsync(_server, "revoke", "--serial", await SerialAsync(certificate), "--reason", "keyCompromise");
        Assert.That(revoke.ExitCode, Is.EqualTo(0), revoke.Describe());

        await CsrAsync("after-revocation", SecondSystemTitle);
        var result = await CoapAsync(certificate, File("to-revoke.key"),
            ["-m", "post", "-t", "286", "-f", File("after-revocation.csr.der"), "-o", File("after-revocation.p7"), Url("est/sren")]);
        Assert.That(result.StandardOutput + result.StandardError, Does.Contain("4.03").And.Contain("revoked"), Describe(result));
    }

    [Test]
    public async Task Skg_answers_multipart_core_with_a_key_that_matches_its_certificate()
    {
        await CsrAsync("skg", SecondSystemTitle);
        var result = await CoapAsync("idevid2", ["-m", "post", "-t", "286", "-A", "62", "-f", File("skg.csr.der"), "-o", File("skg.cbor"), Url("est/skg")]);
        Assert.That(System.IO.File.Exists(File("skg.cbor")), Is.True, Describe(result));
        var (key, certsOnly) = SplitMultipart(await System.IO.File.ReadAllBytesAsync(File("skg.cbor")));
        await System.IO.File.WriteAllBytesAsync(File("skg.key.der"), key);
        await System.IO.File.WriteAllBytesAsync(File("skg.p7"), certsOnly);
        await OpenSsl("pkcs7", "-inform", "DER", "-in", File("skg.p7"), "-print_certs", "-out", File("skg.pem"));
        var keyPublic = await OpenSsl("pkey", "-inform", "DER", "-in", File("skg.key.der"), "-pubout");
        var certificatePublic = await OpenSsl("x509", "-in", File("skg.pem"), "-pubkey", "-noout");
        Assert.That(keyPublic.StandardOutput, Is.EqualTo(certificatePublic.StandardOutput));
    }

    [Test]
    public async Task A_CCM8_only_handshake_with_openssl_s_client_succeeds()
    {
        var result = await ExternalProcess.RunAsync("openssl",
            ["s_client", "-dtls1_2", "-cipher", "ECDHE-ECDSA-AES128-CCM8", "-connect", $"127.0.0.1:{_server.CoapsPort}",
                "-cert", File("idevid.pem"), "-key", File("idevid.key"), "-CAfile", _server.RootPemPath, "-verify_return_error"],
            standardInput: [], timeout: TimeSpan.FromSeconds(60));
        var output = result.StandardOutput + result.StandardError;
        Assert.That(output, Does.Contain("Cipher is ECDHE-ECDSA-AES128-CCM8"), result.Describe());
        Assert.That(output, Does.Contain("Verify return code: 0 (ok)"), result.Describe());
    }

    /// <summary>Makes a key and CSR, POSTs it to /sen at the given block size, and returns the PEM path of the certificate.</summary>
    private async Task<string> EnrollAsync(string idevid, string name, string systemTitle, int blockSize)
    {
        await CsrAsync(name, systemTitle);
        var result = await CoapAsync(idevid, ["-m", "post", "-t", "286", "-A", "281", "-b", blockSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-f", File($"{name}.csr.der"), "-o", File($"{name}.p7"), Url("est/sen")]);
        Assert.That(System.IO.File.Exists(File($"{name}.p7")), Is.True, Describe(result));
        var pem = File($"{name}.pem");
        var print = await ExternalProcess.RunAsync("openssl", "pkcs7", "-inform", "DER", "-in", File($"{name}.p7"), "-print_certs", "-out", pem);
        Assert.That(print.ExitCode, Is.EqualTo(0), $"{print.Describe()}\n{Describe(result)}");
        return pem;
    }

    private Task<ProcessResult> CoapAsync(string identity, string[] arguments) => CoapAsync(File($"{identity}.pem"), File($"{identity}.key"), arguments);

    /// <summary>coap-client with a client certificate, trusting our root; -B bounds its wait for an answer.</summary>
    private Task<ProcessResult> CoapAsync(string certificate, string key, string[] arguments) =>
        ExternalProcess.RunAsync("coap-client-openssl", ["-B", "30", "-c", certificate, "-j", key, "-C", _server.RootPemPath, .. arguments],
            timeout: TimeSpan.FromSeconds(90));

    private string Describe(ProcessResult result) => $"{result.Describe()}\nserver log:\n{_server.Log}";

    private Task ManufacturerCaAsync(string name, string subject) => FactoryIdentities.CreateManufacturerAsync(_work, name, subject);

    /// <summary>An IEEE 802.1AR-style IDevID: serialNumber in the subject, not a CA, signed by the manufacturer CA.</summary>
    private Task IDevIdAsync(string manufacturer, string name, string systemTitle) =>
        FactoryIdentities.CreateIDevIdAsync(_work, manufacturer, name, $"/O={manufacturer}/serialNumber={name}-{systemTitle}/CN={systemTitle}");

    private Task<string> FingerprintAsync(string certificate) => FactoryIdentities.FingerprintAsync(File(certificate));

    /// <summary>A fresh P-256 key and a raw DER CSR with CN = the system title (RFC 9148: payloads are DER, not base64).</summary>
    private Task CsrAsync(string name, string systemTitle) =>
        OpenSsl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", File($"{name}.key"),
            "-subj", $"/CN={systemTitle}", "-outform", "DER", "-out", File($"{name}.csr.der"));

    private async Task<string> SubjectAsync(string pem) => (await OpenSsl("x509", "-in", pem, "-noout", "-subject")).StandardOutput.Trim();

    private async Task<string> SerialAsync(string pem)
    {
        var line = (await OpenSsl("x509", "-in", pem, "-noout", "-serial")).StandardOutput.Trim();
        return line[(line.IndexOf('=', StringComparison.Ordinal) + 1)..];
    }

    private static Task<ProcessResult> OpenSsl(params string[] arguments) => ExternalProcess.RunCheckedAsync("openssl", arguments);

    /// <summary>
    /// Reads the /skg answer by hand, byte for byte (RFC 8949 heads): array(4) [uint 284, bstr key, uint 281, bstr certs].
    /// </summary>
    private static (byte[] Key, byte[] CertsOnly) SplitMultipart(byte[] cbor)
    {
        int offset = 0;
        Assert.That(ReadHead(cbor, ref offset), Is.EqualTo((4, 4UL)), "an array of four items");
        Assert.That(ReadHead(cbor, ref offset), Is.EqualTo((0, 284UL)), "first the application/pkcs8 content format");
        var key = ReadBytes(cbor, ref offset);
        Assert.That(ReadHead(cbor, ref offset), Is.EqualTo((0, 281UL)), "then the certs-only content format");
        var certsOnly = ReadBytes(cbor, ref offset);
        Assert.That(offset, Is.EqualTo(cbor.Length));
        return (key, certsOnly);
    }

    private static byte[] ReadBytes(byte[] cbor, ref int offset)
    {
        var (major, length) = ReadHead(cbor, ref offset);
        Assert.That(major, Is.EqualTo(2), "a byte string");
        var bytes = cbor.AsSpan(offset, (int)length).ToArray();
        offset += (int)length;
        return bytes;
    }

    private static (int Major, ulong Argument) ReadHead(byte[] cbor, ref int offset)
    {
        int major = cbor[offset] >> 5;
        int info = cbor[offset++] & 0x1F;
        int extra = info switch { < 24 => 0, 24 => 1, 25 => 2, 26 => 4, _ => 8 };
        ulong argument = info < 24 ? (ulong)info : 0;
        for (int i = 0; i < extra; i++)
        {
            argument = (argument << 8) | cbor[offset++];
        }

        return (major, argument);
    }
}
