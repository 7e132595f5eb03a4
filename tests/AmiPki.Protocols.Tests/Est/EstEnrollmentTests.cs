using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using AmiPki.Core.Devices;
using AmiPki.Core.Revocation;
using AmiPki.Protocols.Tests.Est.Support;
using NUnit.Framework;

namespace AmiPki.Protocols.Tests.Est;

/// <summary>EST enrollment over a real HTTPS listener: Basic accounts, factory IDevIDs, re-enrollment with the current certificate.</summary>
public sealed class EstEnrollmentTests
{
    private EstTestHost _host = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _host = await EstTestHost.StartAsync();
        await _host.AddAccountAsync("hes-01", "hes-client", EstTestHost.ManualProfile);
        await _host.AddAccountAsync("servers", "hes-server");
    }

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    [Test]
    public async Task Cacerts_is_base64_certs_only_with_the_chain_wrapped_at_64()
    {
        using var client = _host.Client();
        using var response = await client.GetAsync("/.well-known/est/cacerts");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/pkcs7-mime"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Max(l => l.Length), Is.EqualTo(64));
        var subjects = TestPki.CertsOnly(body).Select(c => c.Subject).ToList();
        Assert.That(subjects, Has.Some.Contains("Issuing CA Suite 1").And.Some.Contains("Root CA"));
    }

    [Test]
    public async Task Cacerts_of_a_suite_2_label_carries_the_suite_2_issuer()
    {
        using var client = _host.Client();
        var body = await client.GetStringAsync("/.well-known/est/meter-s2-signing/cacerts");
        Assert.That(TestPki.CertsOnly(body).Select(c => c.Subject), Has.Some.Contains("Issuing CA Suite 2"));
    }

    [Test]
    public async Task Simpleenroll_with_a_basic_account_returns_only_the_new_certificate()
    {
        var (key, csr) = TestPki.Csr("CN=hes-01.example");
        using var _ = key;
        using var client = _host.Client(account: "hes-01");
        using var response = await client.PostAsync("/.well-known/est/simpleenroll", TestPki.Pkcs10(csr));
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(response.Content.Headers.ContentType!.ToString(), Does.StartWith("application/pkcs7-mime").And.Contain("certs-only"));
        var certificates = TestPki.CertsOnly(body);
        Assert.That(certificates, Has.Count.EqualTo(1));
        Assert.That(certificates[0].Subject, Is.EqualTo("CN=hes-01.example"));
        Assert.That(certificates[0].PublicKey.GetECDsaPublicKey()!.ExportSubjectPublicKeyInfo(), Is.EqualTo(key.ExportSubjectPublicKeyInfo()));
    }

    [Test]
    public async Task Labelled_enrollment_uses_that_profile()
    {
        var (key, csr) = TestPki.Csr("CN=head-end", dnsName: "hes.example");
        using var _ = key;
        using var client = _host.Client(account: "servers");
        using var response = await client.PostAsync("/.well-known/est/hes-server/simpleenroll", TestPki.Pkcs10(csr));
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        var eku = TestPki.CertsOnly(body)[0].Extensions.OfType<X509EnhancedKeyUsageExtension>().Single();
        Assert.That(eku.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value), Is.EqualTo(new[] { "1.3.6.1.5.5.7.3.1" }));
    }

    [Test]
    public async Task Account_not_bound_to_the_profile_is_403()
    {
        var (key, csr) = TestPki.Csr("CN=head-end", dnsName: "hes.example");
        using var _ = key;
        using var client = _host.Client(account: "hes-01");
        using var response = await client.PostAsync("/.well-known/est/hes-server/simpleenroll", TestPki.Pkcs10(csr));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("not bound to profile hes-server"));
    }

    [TestCase(null)]
    [TestCase("wrong secret")]
    public async Task Missing_or_wrong_credentials_are_401_with_a_basic_challenge(string? secret)
    {
        var (key, csr) = TestPki.Csr("CN=hes-01.example");
        using var _ = key;
        var refusals = await _host.RefusalCountAsync();
        using var client = secret is null ? _host.Client() : _host.Client(account: "hes-01", secret: secret);
        using var response = await client.PostAsync("/.well-known/est/simpleenroll", TestPki.Pkcs10(csr));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Headers.WwwAuthenticate.Single().Scheme, Is.EqualTo("Basic"));
        Assert.That(response.Headers.WwwAuthenticate.Single().Parameter, Does.Contain("realm="));
        Assert.That(await _host.RefusalCountAsync(), Is.EqualTo(refusals + 1), "each refusal leaves an audit entry");
    }

    [Test]
    public async Task Factory_IDevID_of_a_registered_meter_enrolls_its_system_title()
    {
        var (idevid, systemTitle) = await RegisterMeterAsync("Acme", registered: true);
        var (key, csr) = TestPki.Csr($"CN={systemTitle}");
        using var _ = key;
        using var client = _host.Client(idevid);
        using var response = await client.PostAsync("/.well-known/est/meter-s1-tls/simpleenroll", TestPki.Pkcs10(csr));
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(TestPki.CertsOnly(body)[0].Subject, Is.EqualTo($"CN={systemTitle}"));
    }

    [Test]
    public async Task Factory_IDevID_asking_for_another_system_title_is_403()
    {
        var (idevid, _) = await RegisterMeterAsync("Acme", registered: true);
        var (key, csr) = TestPki.Csr("CN=0000000000000001");
        using var _k = key;
        using var client = _host.Client(idevid);
        using var response = await client.PostAsync("/.well-known/est/meter-s1-tls/simpleenroll", TestPki.Pkcs10(csr));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("registered with system title"));
    }

    [Test]
    public async Task Unregistered_device_is_403_for_a_meter_profile()
    {
        var (idevid, systemTitle) = await RegisterMeterAsync("Acme", registered: false);
        var (key, csr) = TestPki.Csr($"CN={systemTitle}");
        using var _ = key;
        using var client = _host.Client(idevid);
        using var response = await client.PostAsync("/.well-known/est/meter-s1-tls/simpleenroll", TestPki.Pkcs10(csr));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("not in the device registry"));
    }

    [Test]
    public async Task Client_certificate_of_an_unknown_manufacturer_is_403()
    {
        using var rogueCa = TestPki.ManufacturerCa("Rogue");
        using var idevid = TestPki.IDevId(rogueCa, "R-1");
        var (key, csr) = TestPki.Csr("CN=hes-01.example");
        using var _ = key;
        using var client = _host.Client(idevid);
        using var response = await client.PostAsync("/.well-known/est/simpleenroll", TestPki.Pkcs10(csr));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task Simplereenroll_with_the_current_certificate_renews_with_the_same_identity()
    {
        var (current, key) = await EnrollAsync("CN=renew-me.example");
        using var _ = key;
        using var newKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest("CN=renew-me.example", newKey, HashAlgorithmName.SHA256).CreateSigningRequest();
        using var client = _host.Client(current);
        using var response = await client.PostAsync("/.well-known/est/simplereenroll", TestPki.Pkcs10(csr));
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        var renewed = TestPki.CertsOnly(body)[0];
        Assert.That(renewed.Subject, Is.EqualTo(current.Subject));
        Assert.That(renewed.SerialNumber, Is.Not.EqualTo(current.SerialNumber));
    }

    [Test]
    public async Task Simplereenroll_changing_the_subject_is_400()
    {
        var (current, key) = await EnrollAsync("CN=keep-me.example");
        var csr = new CertificateRequest("CN=someone-else.example", key, HashAlgorithmName.SHA256).CreateSigningRequest();
        using var client = _host.Client(current);
        using var response = await client.PostAsync("/.well-known/est/simplereenroll", TestPki.Pkcs10(csr));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("must keep the subject"));
    }

    [Test]
    public async Task Simplereenroll_without_a_client_certificate_is_401()
    {
        var (key, csr) = TestPki.Csr("CN=hes-01.example");
        using var _ = key;
        using var client = _host.Client(account: "hes-01");
        using var response = await client.PostAsync("/.well-known/est/simplereenroll", TestPki.Pkcs10(csr));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Simplereenroll_with_a_revoked_certificate_is_403()
    {
        var (current, key) = await EnrollAsync("CN=revoked.example");
        await _host.Storage.Revocations.RevokeAsync("issuing-s1", [current.SerialNumber],
            new RevocationInfo(RevocationReason.KeyCompromise, DateTimeOffset.UtcNow, null), "test", null, CancellationToken.None);
        var csr = new CertificateRequest("CN=revoked.example", key, HashAlgorithmName.SHA256).CreateSigningRequest();
        using var client = _host.Client(current);
        using var response = await client.PostAsync("/.well-known/est/simplereenroll", TestPki.Pkcs10(csr));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("revoked"));
    }

    private async Task<(X509Certificate2 Certificate, ECDsa Key)> EnrollAsync(string subject)
    {
        var (key, csr) = TestPki.Csr(subject);
        using var client = _host.Client(account: "hes-01");
        using var response = await client.PostAsync("/.well-known/est/simpleenroll", TestPki.Pkcs10(csr));
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        return (TestPki.WithKey(TestPki.CertsOnly(body)[0].RawData, key), key);
    }

    private async Task<(X509Certificate2 IDevId, string SystemTitle)> RegisterMeterAsync(string manufacturer, bool registered)
    {
        var anchorFile = Path.Combine(_host.AnchorDirectory, manufacturer + ".pem");
        if (!File.Exists(anchorFile))
        {
            Directory.CreateDirectory(_host.AnchorDirectory);
            using var newCa = TestPki.ManufacturerCa(manufacturer);
            await File.WriteAllTextAsync(anchorFile, newCa.ExportCertificatePem());
            await File.WriteAllTextAsync(anchorFile + ".key", newCa.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        }
        using var ca = X509Certificate2.CreateFromPemFile(anchorFile, anchorFile + ".key");
        var systemTitle = "4D4D4D" + Convert.ToHexString(RandomNumberGenerator.GetBytes(5));
        var idevid = TestPki.IDevId(ca, systemTitle);
        if (registered)
        {
            await _host.Storage.Devices.UpsertAsync([new DeviceRecord(systemTitle, TestPki.Fingerprint(idevid), null, manufacturer, "LOT-1", "DCU-1", DateTimeOffset.UtcNow)],
                CancellationToken.None);
        }
        return (idevid, systemTitle);
    }
}
