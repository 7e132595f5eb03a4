using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Protocols.Tests.Scep.Support;
using NUnit.Framework;

namespace AmiPki.Protocols.Tests.Scep;

/// <summary>
/// Refusals (RFC 8894 §3.3.2.2): a CertRep FAILURE with failInfo as a PrintableString decimal and HTTP 200, an audit
/// entry, and nothing issued. Messages no reply can be addressed to are HTTP 400 text.
/// </summary>
public sealed class ScepFailureTests
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

    private async Task<ScepTestReply> RefusedAsync(byte[] message, RSA key, X509Certificate2 signer, string failInfo)
    {
        var issued = await _host.IssuedCountAsync();
        var refusals = await _host.RefusalCountAsync();
        var reply = await _client.SendAsync(message, _ra, key, signer);
        Assert.That(reply.PkiStatus, Is.EqualTo("2"));
        Assert.That(reply.FailInfo, Is.EqualTo(failInfo), reply.FailInfoText);
        Assert.That(reply.DecimalTags, Is.All.EqualTo(UniversalTagNumber.PrintableString));
        Assert.That(reply.FailInfoText, Is.Not.Empty);
        Assert.That(await _host.IssuedCountAsync(), Is.EqualTo(issued), "nothing issued");
        Assert.That(await _host.RefusalCountAsync(), Is.GreaterThan(refusals), "audited");
        return reply;
    }

    [Test]
    public async Task A_wrong_challenge_is_badRequest()
    {
        using var key = RSA.Create(2048);
        var self = ScepTestClient.SelfSigned(key);
        var nonce = RandomNumberGenerator.GetBytes(16);
        var reply = await RefusedAsync(ScepTestClient.Build(19, ScepTestClient.Csr("CN=wrong", key, "not-the-challenge"), self, key, _ra, "txn-wrong", nonce),
            key, self, "2");
        Assert.That(reply.TransactionId, Is.EqualTo("txn-wrong"));
        Assert.That(reply.RecipientNonce, Is.EqualTo(nonce));
    }

    [Test]
    public async Task A_missing_challenge_is_badRequest()
    {
        using var key = RSA.Create(2048);
        var self = ScepTestClient.SelfSigned(key);
        await RefusedAsync(ScepTestClient.Build(19, ScepTestClient.Csr("CN=none", key, null), self, key, _ra, "txn-none", RandomNumberGenerator.GetBytes(16)),
            key, self, "2");
    }

    [Test]
    public async Task An_expired_one_time_challenge_is_badRequest()
    {
        var challenge = await _host.AddOneTimeChallengeAsync("network-device", DateTimeOffset.UtcNow.AddMinutes(-1));
        using var key = RSA.Create(2048);
        var self = ScepTestClient.SelfSigned(key);
        await RefusedAsync(ScepTestClient.Build(19, ScepTestClient.Csr("CN=late", key, challenge), self, key, _ra, "txn-late", RandomNumberGenerator.GetBytes(16)),
            key, self, "2");
    }

    [TestCase(3)]
    [TestCase(18)]
    [TestCase(99)]
    public async Task Unknown_or_reply_message_types_are_badRequest(int messageType)
    {
        using var key = RSA.Create(2048);
        var self = ScepTestClient.SelfSigned(key);
        await RefusedAsync(ScepTestClient.Build(messageType, ScepTestClient.Csr("CN=odd", key, ScepTestHost.StaticChallenge), self, key, _ra,
            $"txn-type-{messageType}", RandomNumberGenerator.GetBytes(16)), key, self, "2");
    }

    [Test]
    public async Task A_message_signed_by_another_key_than_its_certificate_is_badMessageCheck()
    {
        using var key = RSA.Create(2048);
        using var other = RSA.Create(2048);
        var self = ScepTestClient.SelfSigned(key);
        var message = ScepTestClient.Build(19, ScepTestClient.Csr("CN=forged", key, ScepTestHost.StaticChallenge), self, key, _ra, "txn-forged",
            RandomNumberGenerator.GetBytes(16));
        // Flip a byte of the signature value (the last bytes of the message).
        message[^3] ^= 0x5a;
        await RefusedAsync(message, key, self, "1");
    }

    [Test]
    public async Task A_pkcsreq_signed_by_a_key_other_than_the_csr_key_is_badMessageCheck()
    {
        using var key = RSA.Create(2048);
        using var other = RSA.Create(2048);
        var signer = ScepTestClient.SelfSigned(other);
        await RefusedAsync(ScepTestClient.Build(19, ScepTestClient.Csr("CN=swap", key, ScepTestHost.StaticChallenge), signer, other, _ra, "txn-swap",
            RandomNumberGenerator.GetBytes(16)), other, signer, "1");
    }

    [Test]
    public async Task Single_des_is_badAlg_by_default()
    {
        using var key = RSA.Create(2048);
        var self = ScepTestClient.SelfSigned(key);
        await RefusedAsync(ScepTestClient.Build(19, ScepTestClient.Csr("CN=des", key, ScepTestHost.StaticChallenge), self, key, _ra, "txn-des",
            RandomNumberGenerator.GetBytes(16), ScepTestClient.DesCbc), key, self, "0");
    }

    [Test]
    public async Task Des3_is_badAlg_unless_enabled()
    {
        using var key = RSA.Create(2048);
        var self = ScepTestClient.SelfSigned(key);
        await RefusedAsync(ScepTestClient.Build(19, ScepTestClient.Csr("CN=des3", key, ScepTestHost.StaticChallenge), self, key, _ra, "txn-des3",
            RandomNumberGenerator.GetBytes(16), ScepTestClient.DesEde3), key, self, "0");
    }

    [Test]
    public async Task An_ec_signer_is_badAlg_because_the_reply_needs_rsa_key_transport()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var self = ScepTestClient.SelfSigned(key);
        var issued = await _host.IssuedCountAsync();
        var message = ScepTestClient.Build(19, ScepTestClient.Csr("CN=ec", key, ScepTestHost.StaticChallenge), self, key, _ra, "txn-ec", RandomNumberGenerator.GetBytes(16));
        var reply = await _client.SendAsync(message, _ra, null, null);
        Assert.That(reply.PkiStatus, Is.EqualTo("2"));
        Assert.That(reply.FailInfo, Is.EqualTo("0"));
        Assert.That(await _host.IssuedCountAsync(), Is.EqualTo(issued));
    }

    [Test]
    public async Task A_profile_violation_from_the_core_is_badRequest()
    {
        using var key = RSA.Create(2048);
        var self = ScepTestClient.SelfSigned(key);
        // network-device allows dns and ip SANs only; the CSR asks for an e-mail address.
        var request = new CertificateRequest("CN=mailer", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddEmailAddress("ops@example.com");
        request.CertificateExtensions.Add(san.Build());
        request.OtherRequestAttributes.Add(new AsnEncodedData(new Oid("1.2.840.113549.1.9.7"), ScepTestClient.Printable(ScepTestHost.StaticChallenge)));
        await RefusedAsync(ScepTestClient.Build(19, request.CreateSigningRequest(), self, key, _ra, "txn-mail", RandomNumberGenerator.GetBytes(16)),
            key, self, "2");
    }

    [Test]
    public async Task Garbage_is_http_400_text_and_an_oversized_body_413_before_reading()
    {
        using (var garbage = await _client.PostAsync([0x30, 0x03, 0x02, 0x01, 0x00]))
        {
            Assert.That(garbage.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(garbage.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/plain"));
        }
        using (var big = await _client.PostAsync(new byte[70 * 1024]))
        {
            Assert.That(big.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        }
        using (var unknown = await _client.Http.GetAsync("/scep?operation=Nonsense"))
        {
            Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }
    }
}
