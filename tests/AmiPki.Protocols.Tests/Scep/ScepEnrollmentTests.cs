using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Protocols.Tests.Scep.Support;
using NUnit.Framework;

namespace AmiPki.Protocols.Tests.Scep;

/// <summary>GetCACaps, GetCACert, PKCSReq (static and one-time challenges), RenewalReq, GetCert and GetCRL (RFC 8894 §3.3, §4).</summary>
public sealed class ScepEnrollmentTests
{
    private ScepTestHost _host = null!;
    private ScepTestClient _client = null!;
    private X509Certificate2 _ra = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _host = await ScepTestHost.StartAsync();
        _client = _host.Client();
        (_, _ra) = await _client.CaCertAsync();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    [Test]
    public async Task GetCACaps_lists_aes_and_sha2_and_no_des()
    {
        var caps = (await _client.CaCapsAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(caps, Is.SupersetOf(new[] { "POSTPKIOperation", "SHA-256", "SHA-512", "AES", "Renewal", "SCEPStandard" }));
        Assert.That(caps, Has.None.StartsWith("DES"));
        Assert.That(caps, Has.None.EqualTo("SHA-1"));
    }

    [Test]
    public async Task GetCACert_returns_the_ec_ca_and_an_rsa_ra_it_issued_with_the_key_kept_encrypted_in_storage()
    {
        var (all, ra) = await _client.CaCertAsync();
        var issuing = _host.Authorities.Find("issuing-s1")!.Certificate;
        Assert.That(all[0].RawData, Is.EqualTo(issuing.RawData), "the CA first");
        Assert.That(ra.IssuerName.RawData, Is.EqualTo(issuing.SubjectName.RawData));
        Assert.That(ra.GetRSAPublicKey()!.KeySize, Is.EqualTo(2048));
        Assert.That(issuing.GetECDsaPublicKey(), Is.Not.Null, "the issuing CA stays EC");
        var usage = ra.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages;
        Assert.That(usage, Is.EqualTo(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment));
        var stored = await _host.Storage.OperationalIdentities.FindAsync(AmiPki.Protocols.Scep.ScepRaProvider.IdentityName, CancellationToken.None);
        Assert.That(stored!.CertificateDer, Is.EqualTo(ra.RawData), "the RA every node presents");
        using (var storedKey = RSA.Create())
        {
            storedKey.ImportEncryptedPkcs8PrivateKey(ScepTestHost.Passphrase, stored.EncryptedKey, out _);
            Assert.That(storedKey.ExportSubjectPublicKeyInfo(), Is.EqualTo(ra.PublicKey.ExportSubjectPublicKeyInfo()));
        }
        Assert.That(Directory.Exists(Path.Combine(_host.Directory, "scep")), Is.False, "no per-node RA files");
        var record = await _host.Storage.Certificates.FindAsync("issuing-s1", ra.SerialNumber, CancellationToken.None);
        Assert.That(record!.Profile, Is.EqualTo("scep-ra"));
        Assert.That(record.Protocol, Is.EqualTo("internal"));
    }

    [Test]
    public async Task PKCSReq_with_the_static_challenge_is_issued_and_the_certrep_follows_rfc_8894()
    {
        using var key = RSA.Create(2048);
        var signer = ScepTestClient.SelfSigned(key);
        var nonce = RandomNumberGenerator.GetBytes(16);
        var message = ScepTestClient.Build(19, ScepTestClient.Csr("CN=switch-static", key, ScepTestHost.StaticChallenge, "switch-static.example"),
            signer, key, _ra, "txn-static-1", nonce);

        var reply = await _client.SendAsync(message, _ra, key, signer);

        Assert.That(reply.PkiStatus, Is.EqualTo("0"), reply.FailInfoText);
        Assert.That(reply.MessageType, Is.EqualTo("3"));
        Assert.That(reply.DecimalTags, Is.All.EqualTo(UniversalTagNumber.PrintableString));
        Assert.That(reply.TransactionId, Is.EqualTo("txn-static-1"));
        Assert.That(reply.RecipientNonce, Is.EqualTo(nonce));
        Assert.That(reply.SenderNonce, Has.Length.EqualTo(16).And.Not.EqualTo(nonce));
        Assert.That(reply.Signer.RawData, Is.EqualTo(_ra.RawData), "signed by the RA");
        Assert.That(reply.ContentCipher, Is.EqualTo(ScepTestClient.Aes128));
        var issued = reply.Certificates.Single();
        Assert.That(issued.Subject, Is.EqualTo("CN=switch-static"));
        Assert.That(issued.GetRSAPublicKey()!.ExportSubjectPublicKeyInfo(), Is.EqualTo(key.ExportSubjectPublicKeyInfo()));
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_host.Authorities.Find("root")!.Certificate);
        chain.ChainPolicy.ExtraStore.Add(_host.Authorities.Find("issuing-s1")!.Certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.That(chain.Build(issued), Is.True, string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        var record = await _host.Storage.Certificates.FindAsync("issuing-s1", issued.SerialNumber, CancellationToken.None);
        Assert.That(record!.Protocol, Is.EqualTo("scep"));
        Assert.That(record.Requester, Is.EqualTo("static:network-device"));
    }

    [Test]
    public async Task PKCSReq_by_get_with_a_url_encoded_message_is_issued()
    {
        using var key = RSA.Create(2048);
        var signer = ScepTestClient.SelfSigned(key);
        var message = ScepTestClient.Build(19, ScepTestClient.Csr("CN=switch-get", key, ScepTestHost.StaticChallenge), signer, key, _ra,
            "txn/get+1=", RandomNumberGenerator.GetBytes(16));
        using var response = await _client.GetAsync(message);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/x-pki-message"));
        var reply = ScepTestReply.Open(await response.Content.ReadAsByteArrayAsync(), _ra, key, signer);
        Assert.That(reply.PkiStatus, Is.EqualTo("0"), reply.FailInfoText);
        Assert.That(reply.TransactionId, Is.EqualTo("txn/get+1="));
    }

    [Test]
    public async Task The_alternate_path_serves_the_same()
    {
        using var client = _host.Client("/cgi-bin/pkiclient.exe");
        Assert.That(await client.CaCapsAsync(), Does.Contain("AES"));
    }

    [Test]
    public async Task A_one_time_challenge_works_once()
    {
        var challenge = await _host.AddOneTimeChallengeAsync("network-device");
        using var key = RSA.Create(2048);
        var signer = ScepTestClient.SelfSigned(key);
        var csr = ScepTestClient.Csr("CN=switch-once", key, challenge);

        var first = await _client.SendAsync(ScepTestClient.Build(19, csr, signer, key, _ra, "txn-once-1", RandomNumberGenerator.GetBytes(16)), _ra, key, signer);
        Assert.That(first.PkiStatus, Is.EqualTo("0"), first.FailInfoText);
        var issuedBefore = await _host.IssuedCountAsync();

        var second = await _client.SendAsync(ScepTestClient.Build(19, csr, signer, key, _ra, "txn-once-2", RandomNumberGenerator.GetBytes(16)), _ra, key, signer);
        Assert.That(second.PkiStatus, Is.EqualTo("2"));
        Assert.That(second.FailInfo, Is.EqualTo("2"), "badRequest");
        Assert.That(second.FailInfoText, Does.Contain("already been used"));
        Assert.That(await _host.IssuedCountAsync(), Is.EqualTo(issuedBefore));
    }

    [Test]
    public async Task RenewalReq_signed_with_the_current_certificate_renews_it()
    {
        using var key = RSA.Create(2048);
        var self = ScepTestClient.SelfSigned(key);
        var first = await _client.SendAsync(ScepTestClient.Build(19, ScepTestClient.Csr("CN=switch-renew", key, ScepTestHost.StaticChallenge), self, key, _ra,
            "txn-renew-1", RandomNumberGenerator.GetBytes(16)), _ra, key, self);
        var current = first.Certificates.Single();

        using var newKey = RSA.Create(2048);
        var renewal = ScepTestClient.Build(17, ScepTestClient.Csr("CN=switch-renew", newKey, null), current, key, _ra, "txn-renew-2", RandomNumberGenerator.GetBytes(16));
        var reply = await _client.SendAsync(renewal, _ra, key, current);

        Assert.That(reply.PkiStatus, Is.EqualTo("0"), reply.FailInfoText);
        var renewed = reply.Certificates.Single();
        Assert.That(renewed.Subject, Is.EqualTo("CN=switch-renew"));
        Assert.That(renewed.SerialNumber, Is.Not.EqualTo(current.SerialNumber));
        Assert.That(renewed.GetRSAPublicKey()!.ExportSubjectPublicKeyInfo(), Is.EqualTo(newKey.ExportSubjectPublicKeyInfo()));
        var record = await _host.Storage.Certificates.FindAsync("issuing-s1", renewed.SerialNumber, CancellationToken.None);
        Assert.That(record!.Requester, Does.StartWith("cert:issuing-s1:"));
    }

    [Test]
    public async Task RenewalReq_signed_with_a_foreign_certificate_is_refused_and_nothing_is_issued()
    {
        using var key = RSA.Create(2048);
        var foreign = ScepTestClient.SelfSigned(key, "CN=switch-foreign");
        var before = await _host.IssuedCountAsync();
        var reply = await _client.SendAsync(ScepTestClient.Build(17, ScepTestClient.Csr("CN=switch-foreign", key, null), foreign, key, _ra,
            "txn-foreign", RandomNumberGenerator.GetBytes(16)), _ra, key, foreign);
        Assert.That(reply.PkiStatus, Is.EqualTo("2"));
        Assert.That(reply.FailInfo, Is.EqualTo("2"));
        Assert.That(await _host.IssuedCountAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task GetCert_returns_an_issued_certificate_and_badCertId_for_an_unknown_serial()
    {
        using var key = RSA.Create(2048);
        var self = ScepTestClient.SelfSigned(key);
        var issued = (await _client.SendAsync(ScepTestClient.Build(19, ScepTestClient.Csr("CN=switch-getcert", key, ScepTestHost.StaticChallenge), self, key, _ra,
            "txn-getcert-1", RandomNumberGenerator.GetBytes(16)), _ra, key, self)).Certificates.Single();

        var query = ScepTestClient.IssuerAndSerial(issued.IssuerName, issued.SerialNumberBytes.ToArray());
        var found = await _client.SendAsync(ScepTestClient.Build(21, query, self, key, _ra, "txn-getcert-2", RandomNumberGenerator.GetBytes(16)), _ra, key, self);
        Assert.That(found.PkiStatus, Is.EqualTo("0"), found.FailInfoText);
        Assert.That(found.Certificates.Single().RawData, Is.EqualTo(issued.RawData));

        var unknown = ScepTestClient.IssuerAndSerial(issued.IssuerName, [0x01, 0x02, 0x03]);
        var missing = await _client.SendAsync(ScepTestClient.Build(21, unknown, self, key, _ra, "txn-getcert-3", RandomNumberGenerator.GetBytes(16)), _ra, key, self);
        Assert.That(missing.PkiStatus, Is.EqualTo("2"));
        Assert.That(missing.FailInfo, Is.EqualTo("4"), "badCertId");
    }

    [Test]
    public async Task GetCRL_without_a_published_crl_is_a_badRequest_failure_with_text()
    {
        using var key = RSA.Create(2048);
        var self = ScepTestClient.SelfSigned(key);
        var query = ScepTestClient.IssuerAndSerial(_ra.IssuerName, _ra.SerialNumberBytes.ToArray());
        var reply = await _client.SendAsync(ScepTestClient.Build(22, query, self, key, _ra, "txn-crl", RandomNumberGenerator.GetBytes(16)), _ra, key, self);
        Assert.That(reply.PkiStatus, Is.EqualTo("2"));
        Assert.That(reply.FailInfo, Is.EqualTo("2"));
        Assert.That(reply.FailInfoText, Does.Contain("no CRL"));
    }
}
