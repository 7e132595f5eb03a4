using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Issuance;
using AmiPki.Core.Profiles;
using AmiPki.Core.Storage;
using AmiPki.Core.Tests.Support;

namespace AmiPki.Core.Tests.Issuance;

public sealed class IssuancePipelineTests
{
    private TestCa _ca = null!;

    [SetUp]
    public void SetUp() => _ca = TestCa.Create();

    [TearDown]
    public void TearDown() => _ca.Dispose();

    [Test]
    public async Task Meter_certificate_carries_the_profile_and_the_system_title()
    {
        var issued = await _ca.IssueAsync(Csrs.Ec($"CN={Csrs.SystemTitle}"), "meter-s1-signing");
        using var certificate = issued.ToX509();

        Assert.That(certificate.Subject, Is.EqualTo($"CN={Csrs.SystemTitle}"));
        Assert.That(certificate.SerialNumber, Is.EqualTo(issued.SerialHex));
        Assert.That(issued.SerialHex, Has.Length.EqualTo(32));
        var keyUsage = certificate.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.That(keyUsage.Critical, Is.True);
        Assert.That(keyUsage.KeyUsages, Is.EqualTo(X509KeyUsageFlags.DigitalSignature));
        Assert.That(certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Any(), Is.True);
        Assert.That(certificate.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().Single().KeyIdentifier!.Value.ToArray(),
            Is.EqualTo(_ca.Authorities.Find("issuing-s1")!.SubjectKeyIdentifier));
        Assert.That(certificate.Extensions["2.5.29.31"], Is.Not.Null, "CRL distribution point");
        Assert.That(certificate.Extensions.OfType<X509AuthorityInformationAccessExtension>().Single().EnumerateOcspUris(),
            Is.EqualTo(new[] { "http://127.0.0.1:8080/ocsp" }));
        Assert.That(certificate.SignatureAlgorithm.Value, Is.EqualTo("1.2.840.10045.4.3.2"), "ecdsa-with-SHA256 for Suite 1");
    }

    [Test]
    public async Task Certificate_verifies_against_its_issuer_and_the_chain_builds()
    {
        var issued = await _ca.IssueAsync(Csrs.Ec($"CN={Csrs.SystemTitle}", ECCurve.NamedCurves.nistP384), "meter-s2-signing");
        using var certificate = issued.ToX509();
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_ca.Authorities.Find("root")!.Certificate);
        chain.ChainPolicy.ExtraStore.Add(_ca.Authorities.Find("issuing-s2")!.Certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = TestCa.Start.UtcDateTime;
        Assert.That(chain.Build(certificate), Is.True, string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.That(certificate.SignatureAlgorithm.Value, Is.EqualTo("1.2.840.10045.4.3.3"), "ecdsa-with-SHA384 for Suite 2");
    }

    [Test]
    public async Task Intent_is_recorded_before_signing_and_the_certificate_after()
    {
        var issued = await _ca.IssueAsync(Csrs.Ec("CN=DCU-0001"), "dcu");
        var (intent, state, der) = _ca.Store.Certificates[("issuing-s1", issued.SerialHex)];
        Assert.That(state, Is.EqualTo(CertificateState.Issued));
        Assert.That(der, Is.EqualTo(issued.Der));
        Assert.That(intent.Profile, Is.EqualTo("dcu"));
        Assert.That(intent.Subject, Is.EqualTo("CN=DCU-0001"));
        Assert.That(_ca.Store.AuditEvents.Single().Outcome, Is.EqualTo("success"));
    }

    [Test]
    public async Task Intent_records_the_linted_tbs_that_the_certificate_signs()
    {
        var issued = await _ca.IssueAsync(Csrs.WithDnsNames("CN=hes.example.net", "hes.example.net"), "hes-server");
        var (intent, _, _) = _ca.Store.Certificates[("issuing-s1", issued.SerialHex)];

        // Certificate ::= SEQUENCE { tbsCertificate TBSCertificate, signatureAlgorithm, signatureValue } (RFC 5280 §4.1)
        var signedTbs = new AsnReader(issued.Der, AsnEncodingRules.DER).ReadSequence().ReadEncodedValue().ToArray();
        Assert.That(intent.TbsDer, Is.Not.Null);
        Assert.That(intent.TbsDer, Is.EqualTo(signedTbs), "the intent's TBS is exactly what was signed");
        var fields = CertificateFields.ReadTbs(intent.TbsDer!);
        Assert.That((fields.SerialHex, fields.Subject), Is.EqualTo((issued.SerialHex, "CN=hes.example.net")));
    }

    [Test]
    public async Task Validity_is_clipped_to_the_issuer()
    {
        _ca.Clock.Advance(TimeSpan.FromDays(365 * 9));
        var issued = await _ca.IssueAsync(Csrs.Ec($"CN={Csrs.SystemTitle}"), "meter-s1-signing");
        Assert.That(issued.NotAfter, Is.EqualTo(_ca.Authorities.Find("issuing-s1")!.NotAfter));
    }

    [Test]
    public async Task A_serial_collision_draws_a_new_serial()
    {
        _ca.Store.CollisionsToReport = 2;
        var issued = await _ca.IssueAsync(Csrs.Ec("CN=DCU-0002"), "dcu");
        Assert.That(_ca.Store.Certificates.ContainsKey(("issuing-s1", issued.SerialHex)), Is.True);
        Assert.That(_ca.Store.Certificates, Has.Count.EqualTo(1));
    }

    [Test]
    public void A_failing_issuing_key_burns_the_serial_and_refuses()
    {
        _ca.Keys["test:issuing-s1"].FailWith = new CryptographicException("CKR_DEVICE_REMOVED");
        var refusal = Assert.ThrowsAsync<IssuanceRefusal>(() => _ca.IssueAsync(Csrs.Ec("CN=DCU-0003"), "dcu"));
        Assert.That(refusal!.Kind, Is.EqualTo(RefusalKind.SigningFailed));
        Assert.That(refusal.Reason, Does.Contain("CKR_DEVICE_REMOVED"));
        var (_, state, der) = _ca.Store.Certificates.Values.Single();
        Assert.That(state, Is.EqualTo(CertificateState.Failed));
        Assert.That(der, Is.Null);
    }

    [Test]
    public async Task Server_certificate_copies_the_requested_DNS_names()
    {
        var issued = await _ca.IssueAsync(Csrs.WithDnsNames("CN=hes.example.net", "hes.example.net", "hes2.example.net"), "hes-server");
        using var certificate = issued.ToX509();
        var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.That(san.EnumerateDnsNames(), Is.EqualTo(new[] { "hes.example.net", "hes2.example.net" }));
        Assert.That(certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages[0].Value, Is.EqualTo("1.3.6.1.5.5.7.3.1"));
    }

    [Test]
    public async Task Renewal_keeping_the_identity_is_issued()
    {
        var first = await _ca.IssueAsync(Csrs.Ec("CN=DCU-0004"), "dcu");
        var renewal = new EnrollmentRequest(Csrs.Ec("CN=DCU-0004"), "dcu", Requester.Administrator("test"), EnrollmentProtocol.Cli) { Renewing = CertificateFields.Read(first.Der) };
        var second = await _ca.Issuance.IssueAsync(renewal, CancellationToken.None);
        Assert.That(second.SerialHex, Is.Not.EqualTo(first.SerialHex));
    }
}
