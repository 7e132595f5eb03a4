using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Issuance;
using AmiPki.Core.Lint;
using AmiPki.Core.Lint.Profile;
using AmiPki.Core.Lint.Rfc5280;
using AmiPki.Core.Tests.Support;

namespace AmiPki.Core.Tests.Lint;

public sealed class LintTests
{
    private TestCa _ca = null!;

    [SetUp]
    public void SetUp() => _ca = TestCa.Create();

    [TearDown]
    public void TearDown() => _ca.Dispose();

    /// <summary>A certificate made by .NET (not our builder), with chosen flaws, issued by issuing-s1's key.</summary>
    private byte[] Certificate(Action<CertificateRequest> configure, string subject = "CN=4D4D4D0000BC614E", byte[]? serial = null,
        DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        configure(request);
        var issuer = _ca.Authorities.Find("issuing-s1")!;
        using var certificate = request.Create(issuer.Certificate.SubjectName, new Core.Keys.SigningKeySignatureGenerator(issuer.Key),
            TestCa.Start, notAfter ?? TestCa.Start.AddDays(30), serial ?? SerialNumberGenerator.Next());
        return certificate.RawData;
    }

    private static void Complete(CertificateRequest request, X509KeyUsageFlags usage = X509KeyUsageFlags.DigitalSignature, bool critical = true)
    {
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, critical));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
    }

    private string? Run(ICertificateLint lint, byte[] certificate, string profile = "meter-s1-signing") =>
        lint.Check(LintTarget.Decode(certificate), new LintContext(_ca.Authorities.Find("issuing-s1")!, _ca.Profiles.Find(profile)!));

    [Test]
    public void Key_usage_not_critical_fails() =>
        Assert.That(Run(new KeyUsageLint(), Certificate(r => Complete(r, critical: false))), Does.Contain("critical"));

    [Test]
    public void Key_cert_sign_on_an_end_entity_fails() =>
        Assert.That(Run(new KeyUsageLint(), Certificate(r => Complete(r, X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign))), Does.Contain("keyCertSign"));

    [Test]
    public void Key_usage_other_than_the_profile_fails() =>
        Assert.That(Run(new ProfileKeyUsageLint(), Certificate(r => Complete(r, X509KeyUsageFlags.KeyAgreement))), Does.Contain("profile"));

    [Test]
    public void Missing_authority_key_identifier_fails() =>
        Assert.That(Run(new AuthorityKeyIdentifierLint(), Certificate(r => Complete(r))), Does.Contain("missing"));

    [Test]
    public void Short_serial_fails() =>
        Assert.That(Run(new SerialNumberLint(), Certificate(r => Complete(r), serial: [0x01, 0x02])), Does.Contain("64 bits"));

    [Test]
    public void Validity_beyond_the_issuer_fails() =>
        Assert.That(Run(new ValidityLint(), Certificate(r => Complete(r), notAfter: TestCa.Start.AddYears(30))), Does.Contain("issuer"));

    [Test]
    public void Subject_that_is_not_a_system_title_fails() =>
        Assert.That(Run(new DlmsSystemTitleLint(), Certificate(r => Complete(r), subject: "CN=meter")), Does.Contain("CN="));

    [Test]
    public async Task What_the_pipeline_builds_passes_every_lint()
    {
        var issued = await _ca.IssueAsync(Csrs.Ec($"CN={Csrs.SystemTitle}"), "meter-s1-tls");
        var context = new LintContext(issued.Issuer, _ca.Profiles.Find("meter-s1-tls")!);
        Assert.That(new CertificateLinter().Run(issued.Der, context), Is.Null);
    }

    [Test]
    public void A_failed_lint_issues_nothing_and_names_the_rule()
    {
        var issuance = new IssuanceService(_ca.Authorities, _ca.Profiles, _ca.Store, _ca.Store, _ca.Clock,
            new CertificateLinter([new AlwaysFails()]));
        var request = new EnrollmentRequest(Csrs.Ec($"CN={Csrs.SystemTitle}"), "meter-s1-signing", Requester.Administrator("t"), "cli");
        var refusal = Assert.ThrowsAsync<IssuanceRefusal>(() => issuance.IssueAsync(request, CancellationToken.None));
        Assert.That(refusal!.Kind, Is.EqualTo(RefusalKind.LintFailure));
        Assert.That(refusal.Reason, Does.Contain("test.always-fails"));
        Assert.That(_ca.Store.Certificates, Is.Empty);
        Assert.That(_ca.Keys["test:issuing-s1"].Signatures, Is.Zero, "the issuing key signed nothing");
    }

    private sealed class AlwaysFails : ICertificateLint
    {
        public string Name => "test.always-fails";

        public string? Check(LintTarget certificate, LintContext context) => "always";
    }
}
