using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Protocols.Tests.Scep.Support;
using NUnit.Framework;

namespace AmiPki.Protocols.Tests.Scep;

/// <summary>Manual approval (RFC 8894 §3.3.3): PENDING, then CertPoll (or the repeated PKCSReq) until an admin decides.</summary>
public sealed class ScepApprovalTests
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
    public async Task A_held_request_is_pending_then_issued_once_by_certpoll_after_approval()
    {
        var challenge = await _host.AddOneTimeChallengeAsync(ScepTestHost.ManualProfile);
        using var key = RSA.Create(2048);
        var self = ScepTestClient.SelfSigned(key);
        var csr = ScepTestClient.Csr("CN=router-held", key, challenge);
        var issuedBefore = await _host.IssuedCountAsync();

        var first = await _client.SendAsync(ScepTestClient.Build(19, csr, self, key, _ra, "txn-held", RandomNumberGenerator.GetBytes(16)), _ra, key, self);
        Assert.That(first.PkiStatus, Is.EqualTo("3"), first.FailInfoText);
        var poll = ScepTestClient.IssuerAndSubject(_ra.IssuerName, new X500DistinguishedName("CN=router-held"));
        var stillPending = await _client.SendAsync(ScepTestClient.Build(20, poll, self, key, _ra, "txn-held", RandomNumberGenerator.GetBytes(16)), _ra, key, self);
        Assert.That(stillPending.PkiStatus, Is.EqualTo("3"));
        // The repeated PKCSReq (what scepclient does) finds the same held request although its one-time challenge is spent.
        var repeated = await _client.SendAsync(ScepTestClient.Build(19, csr, self, key, _ra, "txn-held", RandomNumberGenerator.GetBytes(16)), _ra, key, self);
        Assert.That(repeated.PkiStatus, Is.EqualTo("3"), repeated.FailInfoText);
        Assert.That(await _host.IssuedCountAsync(), Is.EqualTo(issuedBefore));

        var held = (await _host.Pending.ListAsync(Core.Approvals.PendingRequestState.Pending, 10, CancellationToken.None)).Single(r => r.Subject.Contains("router-held"));
        Assert.That(await _host.Pending.DecideAsync(held.Id, true, "test", null, DateTimeOffset.UtcNow, CancellationToken.None), Is.True);

        var issued = await _client.SendAsync(ScepTestClient.Build(20, poll, self, key, _ra, "txn-held", RandomNumberGenerator.GetBytes(16)), _ra, key, self);
        Assert.That(issued.PkiStatus, Is.EqualTo("0"), issued.FailInfoText);
        var certificate = issued.Certificates.Single();
        Assert.That(certificate.Subject, Is.EqualTo("CN=router-held"));
        var again = await _client.SendAsync(ScepTestClient.Build(20, poll, self, key, _ra, "txn-held", RandomNumberGenerator.GetBytes(16)), _ra, key, self);
        Assert.That(again.Certificates.Single().RawData, Is.EqualTo(certificate.RawData), "the same certificate, never a second one");
        Assert.That(await _host.IssuedCountAsync(), Is.EqualTo(issuedBefore + 1));
    }

    [Test]
    public async Task A_rejected_request_fails_with_badRequest_and_the_reason()
    {
        var challenge = await _host.AddOneTimeChallengeAsync(ScepTestHost.ManualProfile);
        using var key = RSA.Create(2048);
        var self = ScepTestClient.SelfSigned(key);
        var first = await _client.SendAsync(ScepTestClient.Build(19, ScepTestClient.Csr("CN=router-rejected", key, challenge), self, key, _ra, "txn-rejected",
            RandomNumberGenerator.GetBytes(16)), _ra, key, self);
        Assert.That(first.PkiStatus, Is.EqualTo("3"));
        var held = (await _host.Pending.ListAsync(Core.Approvals.PendingRequestState.Pending, 10, CancellationToken.None)).Single(r => r.Subject.Contains("router-rejected"));
        await _host.Pending.DecideAsync(held.Id, false, "test", "unknown device", DateTimeOffset.UtcNow, CancellationToken.None);

        var poll = ScepTestClient.IssuerAndSubject(_ra.IssuerName, new X500DistinguishedName("CN=router-rejected"));
        var reply = await _client.SendAsync(ScepTestClient.Build(20, poll, self, key, _ra, "txn-rejected", RandomNumberGenerator.GetBytes(16)), _ra, key, self);
        Assert.That(reply.PkiStatus, Is.EqualTo("2"));
        Assert.That(reply.FailInfo, Is.EqualTo("2"));
        Assert.That(reply.FailInfoText, Does.Contain("unknown device"));
    }

    [Test]
    public async Task A_certpoll_for_an_unknown_transaction_or_by_another_key_is_badCertId()
    {
        using var key = RSA.Create(2048);
        var self = ScepTestClient.SelfSigned(key);
        var poll = ScepTestClient.IssuerAndSubject(_ra.IssuerName, new X500DistinguishedName("CN=nobody"));
        var reply = await _client.SendAsync(ScepTestClient.Build(20, poll, self, key, _ra, "txn-nobody", RandomNumberGenerator.GetBytes(16)), _ra, key, self);
        Assert.That(reply.PkiStatus, Is.EqualTo("2"));
        Assert.That(reply.FailInfo, Is.EqualTo("4"));
    }
}
