using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Approvals;
using AmiPki.Protocols.Tests.Scep.Support;
using NUnit.Framework;

namespace AmiPki.Protocols.Tests.Scep;

/// <summary>
/// The options for legacy clients: DES3 (advertised when enabled, RFC 8894 §3.5.2), single-DES requests (accepted, never
/// used in replies), and holding requests without challenge for manual authentication (RFC 8894 §2.3).
/// </summary>
public sealed class ScepLegacyOptionsTests
{
    private ScepTestHost _host = null!;
    private ScepTestClient _client = null!;
    private X509Certificate2 _ra = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _host = await ScepTestHost.StartAsync(options =>
        {
            options.EnableDes3 = true;
            options.AcceptSingleDesRequests = true;
            options.HoldRequestsWithoutChallenge = true;
        });
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
    public async Task Des3_is_advertised_when_enabled_but_single_des_never()
    {
        var caps = (await _client.CaCapsAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(caps, Does.Contain("DES3"));
        Assert.That(caps, Has.None.EqualTo("DES"));
    }

    [TestCase(ScepTestClient.DesCbc)]
    [TestCase(ScepTestClient.DesEde3)]
    public async Task Des_requests_are_accepted_and_answered_with_aes(string cipher)
    {
        using var key = RSA.Create(2048);
        var self = ScepTestClient.SelfSigned(key);
        var reply = await _client.SendAsync(ScepTestClient.Build(19, ScepTestClient.Csr("CN=legacy-" + cipher, key, ScepTestHost.StaticChallenge), self, key, _ra,
            "txn-" + cipher, RandomNumberGenerator.GetBytes(16), cipher), _ra, key, self);
        Assert.That(reply.PkiStatus, Is.EqualTo("0"), reply.FailInfoText);
        Assert.That(reply.ContentCipher, Is.EqualTo(ScepTestClient.Aes128));
    }

    [Test]
    public async Task A_request_without_challenge_is_held_and_a_repeated_request_with_a_new_csr_for_the_same_key_collects_it()
    {
        using var key = RSA.Create(2048);
        var self = ScepTestClient.SelfSigned(key);
        var first = await _client.SendAsync(ScepTestClient.Build(19, ScepTestClient.Csr("CN=unauthenticated-1", key, null), self, key, _ra, "txn-manual",
            RandomNumberGenerator.GetBytes(16)), _ra, key, self);
        Assert.That(first.PkiStatus, Is.EqualTo("3"), first.FailInfoText);

        var held = (await _host.Pending.ListAsync(PendingRequestState.Pending, 50, CancellationToken.None)).Single(r => r.Subject.Contains("unauthenticated-1"));
        Assert.That(held.Profile, Is.EqualTo("network-device"));
        await _host.Pending.DecideAsync(held.Id, true, "test", null, DateTimeOffset.UtcNow, CancellationToken.None);

        // certmonger re-creates its CSR (other bytes, same key and subject) when it resubmits.
        var again = await _client.SendAsync(ScepTestClient.Build(19, ScepTestClient.Csr("CN=unauthenticated-1", key, null, "resubmitted.example"), self, key, _ra, "txn-manual",
            RandomNumberGenerator.GetBytes(16)), _ra, key, self);
        Assert.That(again.PkiStatus, Is.EqualTo("0"), again.FailInfoText);
        var issued = again.Certificates.Single();
        Assert.That(issued.Subject, Is.EqualTo("CN=unauthenticated-1"));
        Assert.That(issued.Extensions.OfType<X509SubjectAlternativeNameExtension>(), Is.Empty, "the CSR the admin approved is issued");

        // Another subject under the same transaction and key is not the held request.
        var other = await _client.SendAsync(ScepTestClient.Build(19, ScepTestClient.Csr("CN=unauthenticated-2", key, null), self, key, _ra, "txn-manual",
            RandomNumberGenerator.GetBytes(16)), _ra, key, self);
        Assert.That(other.PkiStatus, Is.EqualTo("2"));
        Assert.That(other.FailInfo, Is.EqualTo("2"));
    }
}
