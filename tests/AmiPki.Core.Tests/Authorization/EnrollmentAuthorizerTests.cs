using System.Security.Cryptography;
using AmiPki.Core.Authorization;
using AmiPki.Core.Credentials;
using AmiPki.Core.Devices;
using AmiPki.Core.Issuance;
using AmiPki.Core.Profiles;
using AmiPki.Core.Storage;
using AmiPki.Core.Tests.Support;

namespace AmiPki.Core.Tests.Authorization;

/// <summary>
/// The one authorization decision, against the shipped profiles and through the real pipeline: every requester kind the
/// adapters produce, allowed or refused exactly as the profiles declare; a refusal signs and stores nothing.
/// </summary>
public sealed class EnrollmentAuthorizerTests
{
    private const string SystemTitle = "4D4D4D0000BC614E";

    private TestCa _ca = null!;
    private RecordingRevoker _revoker = null!;
    private IssuanceService _issuance = null!;

    [SetUp]
    public void SetUp()
    {
        _ca = TestCa.Create();
        _revoker = new RecordingRevoker();
        _issuance = new IssuanceService(_ca.Authorities, _ca.Profiles, _ca.Store, _ca.Store, _ca.Clock, supersession: _revoker);
    }

    [TearDown]
    public void TearDown() => _ca.Dispose();

    private static Requester Factory(string? kind, string systemTitle = SystemTitle) => Requester.ForFactoryCertificate(new FactoryIdentity("acme",
        new string('A', 64), "idevid", kind is null ? null : new DeviceRecord(systemTitle, new string('A', 64), null, "acme", "LOT-1", "DCU-1", TestCa.Start, kind)));

    private static Requester Credential(string profile, string? subject = null) => Requester.ForCredential(
        new EnrollmentCredential("est-account", "acct", "", [profile], subject, null, false, null, TestCa.Start), "account:acct");

    private static CurrentCertificate Holder(IssuedCertificate issued) => new(new CertificateRecord(issued.Issuer.Name, issued.SerialHex, CertificateState.Issued,
        issued.Profile, "", issued.NotBefore, issued.NotAfter, issued.Der, null, "test", "cli", TestCa.Start, null, null, null, null, null), CertificateFields.Read(issued.Der));

    private Task<IssuedCertificate> IssueAsync(string profile, string protocol, Requester requester, byte[] csr, string? issuer = null) =>
        _issuance.IssueAsync(new EnrollmentRequest(csr, profile, requester, protocol) { IssuerName = issuer }, CancellationToken.None);

    private IssuanceRefusal Refused(string profile, string protocol, Requester requester, byte[] csr, string because)
    {
        var refusal = Assert.ThrowsAsync<IssuanceRefusal>(() => IssueAsync(profile, protocol, requester, csr));
        Assert.That(refusal!.Kind, Is.EqualTo(RefusalKind.NotAuthorized), refusal.Reason);
        Assert.That(refusal.Reason, Does.Contain(because));
        Assert.That(_ca.Store.Certificates, Is.Empty, "a refused request reserves and stores nothing");
        Assert.That(_ca.Keys.Values.Sum(k => k.Signatures), Is.Zero, "a refused request signs nothing");
        var audit = _ca.Store.AuditEvents.Last();
        Assert.That(audit.Outcome, Is.EqualTo("refused"));
        Assert.That(audit.Detail, Does.Contain("refusal=NotAuthorized"));
        return refusal;
    }

    [Test]
    public async Task A_registered_meter_gets_a_meter_certificate_for_its_own_system_title_over_est_coaps_and_est()
    {
        var issued = await IssueAsync("meter-s1-tls", EnrollmentProtocol.EstCoaps, Factory(DeviceKinds.Meter), Csrs.Ec($"CN={SystemTitle}"));
        Assert.That(issued.Profile, Is.EqualTo("meter-s1-tls"));
        var record = _ca.Store.Certificates.Values.Single().Intent;
        Assert.That(record.SystemTitle, Is.EqualTo(SystemTitle), "the registry's device is recorded with the certificate");
        Assert.That(record.Dcu, Is.EqualTo("DCU-1"));
        await IssueAsync("meter-s1-signing", EnrollmentProtocol.Est, Factory(DeviceKinds.Meter), Csrs.Ec($"CN={SystemTitle}"));
    }

    [Test]
    public void A_registered_meter_cannot_ask_for_another_system_title()
    {
        var refusal = Refused("meter-s1-tls", EnrollmentProtocol.EstCoaps, Factory(DeviceKinds.Meter), Csrs.Ec("CN=4D4D4D0000000001"),
            $"registered with system title {SystemTitle}");
        Assert.That(refusal.Rule, Is.EqualTo("factory certificate of a registered meter; CN = registered system title"));
        Assert.That(_ca.Store.AuditEvents.Last().Detail, Does.Contain("rule=[factory certificate of a registered meter; CN = registered system title]"),
            "the audit entry names the rule that refused");
    }

    [Test]
    public void An_unregistered_device_of_a_trusted_manufacturer_gets_no_meter_certificate() =>
        Refused("meter-s1-tls", EnrollmentProtocol.EstCoaps, Factory(null), Csrs.Ec($"CN={SystemTitle}"), "not in the device registry");

    [Test]
    public void A_registered_dcu_gets_no_meter_certificate() =>
        Refused("meter-s1-tls", EnrollmentProtocol.EstCoaps, Factory(DeviceKinds.Dcu), Csrs.Ec($"CN={SystemTitle}"), "registered as a dcu");

    [TestCase("hes-server", EnrollmentProtocol.Est, "CN=hes.utility.example")]
    [TestCase("hes-client", EnrollmentProtocol.Est, "CN=hes.utility.example")]
    [TestCase("dcu", EnrollmentProtocol.Cmp, "CN=DCU-0001")]
    [TestCase("network-device", EnrollmentProtocol.Scep, "CN=router-1")]
    public void A_meter_factory_certificate_gets_no_head_end_dcu_or_network_certificate(string profile, string protocol, string subject)
    {
        var csr = profile == "hes-server" ? Csrs.WithDnsNames(subject, "hes.utility.example") : Csrs.Ec(subject);
        Refused(profile, protocol, Factory(DeviceKinds.Meter), csr, "does not admit a factory certificate");
    }

    [Test]
    public async Task A_credential_bound_to_the_profile_enrolls_and_one_bound_elsewhere_does_not()
    {
        await IssueAsync("hes-server", EnrollmentProtocol.Est, Credential("hes-server"), Csrs.WithDnsNames("CN=hes.utility.example", "hes.utility.example"));
        _ca.Store.Certificates.Clear();
        _ca.Keys.Values.ToList().ForEach(k => k.Signatures = 0);
        Refused("hes-server", EnrollmentProtocol.Est, Credential("hes-client"), Csrs.WithDnsNames("CN=hes.utility.example", "hes.utility.example"),
            "not bound to profile hes-server");
    }

    [Test]
    public async Task A_credential_bound_to_one_subject_enrolls_only_that_subject_compared_one_way()
    {
        await IssueAsync("dcu", EnrollmentProtocol.Cmp, Credential("dcu", " cn = DCU-0001 "), Csrs.Ec("CN=DCU-0001"));
        _ca.Store.Certificates.Clear();
        _ca.Keys.Values.ToList().ForEach(k => k.Signatures = 0);
        Refused("dcu", EnrollmentProtocol.Cmp, Credential("dcu", "CN=DCU-0001"), Csrs.Ec("CN=dcu-0001"), "may only enroll the subject 'CN=DCU-0001'");
    }

    [Test]
    public async Task A_current_certificate_renews_into_its_own_profile_only()
    {
        var meter = await _ca.IssueAsync(Csrs.Ec($"CN={SystemTitle}"), "meter-s1-tls");
        _ca.Store.Certificates.Clear();
        _ca.Keys.Values.ToList().ForEach(k => k.Signatures = 0);
        // The CMP exploit: a meter's certificate asking for a DCU certificate through the label.
        Refused("dcu", EnrollmentProtocol.Cmp, Requester.ForCurrentCertificate(Holder(meter)), Csrs.Ec($"CN={SystemTitle}"), "is of profile meter-s1-tls");
        var renewed = await IssueAsync("meter-s1-tls", EnrollmentProtocol.Cmp, Requester.ForCurrentCertificate(Holder(meter)), Csrs.Ec($"CN={SystemTitle}"));
        Assert.That(renewed.Profile, Is.EqualTo("meter-s1-tls"));
    }

    [Test]
    public async Task A_renewal_keeps_subject_and_revokes_the_renewed_certificate_as_the_profile_says()
    {
        var dcu = await _ca.IssueAsync(Csrs.Ec("CN=DCU-0002"), "dcu");
        var changed = Assert.ThrowsAsync<IssuanceRefusal>(() => IssueAsync("dcu", EnrollmentProtocol.Cmp, Requester.ForCurrentCertificate(Holder(dcu)), Csrs.Ec("CN=DCU-0003")));
        Assert.That(changed!.Reason, Does.Contain("keep the subject"));
        Assert.That(_revoker.Revoked, Is.Empty, "a refused renewal revokes nothing");

        await IssueAsync("dcu", EnrollmentProtocol.Cmp, Requester.ForCurrentCertificate(Holder(dcu)), Csrs.Ec("CN=DCU-0002"));
        Assert.That(_revoker.Revoked, Is.EqualTo(new[] { (dcu.Issuer.Name, dcu.SerialHex) }), "dcu: renewal supersedes (renewal.revokeSuperseded)");

        var hes = await _ca.IssueAsync(Csrs.Ec("CN=hes-1"), "hes-client");
        await IssueAsync("hes-client", EnrollmentProtocol.Est, Requester.ForCurrentCertificate(Holder(hes)), Csrs.Ec("CN=hes-1"));
        Assert.That(_revoker.Revoked, Has.Count.EqualTo(1), "hes-client: renewal.revokeSuperseded is false");
    }

    [Test]
    public async Task Cmp_defers_the_supersession_until_confirmation()
    {
        var dcu = await _ca.IssueAsync(Csrs.Ec("CN=DCU-0004"), "dcu");
        var issued = await _issuance.IssueAsync(new EnrollmentRequest(Csrs.Ec("CN=DCU-0004"), "dcu", Requester.ForCurrentCertificate(Holder(dcu)), EnrollmentProtocol.Cmp)
        {
            DeferSupersession = true,
        }, CancellationToken.None);
        Assert.That(_revoker.Revoked, Is.Empty);
        Assert.That(issued.PendingSupersession, Is.EqualTo((dcu.Issuer.Name, dcu.SerialHex)));
    }

    [Test]
    public void Administrators_and_AmiPki_itself_only_over_their_own_protocols()
    {
        Refused("hes-server", EnrollmentProtocol.Est, Requester.Administrator("cli:root"), Csrs.WithDnsNames("CN=h", "h.example"), "does not admit a administrator");
        Refused("ocsp-responder", EnrollmentProtocol.Est, Requester.Internal("amipki:x"), Csrs.Ec("CN=x"), "not available over est");
        Refused("cmp-responder", EnrollmentProtocol.Cli, Requester.Internal("amipki:x"), Csrs.Ec("CN=x"), "does not admit a internal requester");
    }

    [Test]
    public async Task The_issuer_asked_for_is_honoured_or_refused_and_none_asked_follows_the_key()
    {
        var p384 = await _ca.IssueAsync(Csrs.Ec("CN=DCU-0005", ECCurve.NamedCurves.nistP384), "dcu");
        Assert.That(p384.Issuer.Name, Is.EqualTo("issuing-s2"), "a P-384 key under a two-issuer profile gets the P-384 CA");
        var p256 = await _ca.IssueAsync(Csrs.Ec("CN=DCU-0006"), "dcu");
        Assert.That(p256.Issuer.Name, Is.EqualTo("issuing-s1"));
        var named = await _ca.IssueAsync(Csrs.Ec("CN=DCU-0007"), "dcu", issuer: "issuing-s2");
        Assert.That(named.Issuer.Name, Is.EqualTo("issuing-s2"), "a named issuer is honoured even if another matches the key");
        var refusal = Assert.ThrowsAsync<IssuanceRefusal>(() => _ca.IssueAsync(Csrs.Ec($"CN={SystemTitle}"), "meter-s1-tls", issuer: "issuing-s2"));
        Assert.That(refusal!.Reason, Does.Contain("not issued by CA 'issuing-s2'"));
    }

    [Test]
    public void Every_shipped_profile_declares_rules_and_none_admits_a_meter_factory_certificate_unless_it_is_a_meter_profile()
    {
        foreach (var profile in _ca.Profiles.All)
        {
            Assert.That(profile.Authorization, Is.Not.Empty, profile.Name);
            var factory = profile.Authorization.Where(r => r.Requester == RuleRequester.FactoryCertificate).ToList();
            if (profile.Subject != SubjectRule.DlmsSystemTitle)
            {
                Assert.That(factory.SelectMany(r => r.DeviceKinds), Does.Not.Contain(DeviceKinds.Meter), profile.Name);
            }
            Assert.That(factory.All(r => r.RegisteredDevice && r.DeviceKinds.Count > 0), profile.Name + ": factory rules name registered device kinds");
        }
    }

    private sealed class RecordingRevoker : ISupersededCertificateRevoker
    {
        public List<(string Issuer, string Serial)> Revoked { get; } = [];

        public Task RevokeSupersededAsync(string issuer, string serialHex, string actor, CancellationToken cancellationToken)
        {
            Revoked.Add((issuer, serialHex));
            return Task.CompletedTask;
        }
    }
}
