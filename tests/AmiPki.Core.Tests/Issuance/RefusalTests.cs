using System.Security.Cryptography;
using AmiPki.Core.Issuance;
using AmiPki.Core.Profiles;
using AmiPki.Core.Tests.Support;

namespace AmiPki.Core.Tests.Issuance;

/// <summary>Every bad request is refused with the right typed refusal, audited, and leaves nothing stored.</summary>
public sealed class RefusalTests
{
    private TestCa _ca = null!;

    [SetUp]
    public void SetUp() => _ca = TestCa.Create();

    [TearDown]
    public void TearDown() => _ca.Dispose();

    private static IEnumerable<TestCaseData> BadRequests()
    {
        yield return new TestCaseData((Func<byte[]>)(() => Csrs.WithBadSignature($"CN={Csrs.SystemTitle}")), "meter-s1-signing", RefusalKind.BadProofOfPossession)
            .SetName("bad signature");
        yield return new TestCaseData((Func<byte[]>)(() => Csrs.Ec($"CN={Csrs.SystemTitle}", ECCurve.NamedCurves.nistP384)), "meter-s1-signing", RefusalKind.KeyNotAllowed)
            .SetName("P-384 key for a Suite 1 profile");
        yield return new TestCaseData((Func<byte[]>)(() => Csrs.Ec($"CN={Csrs.SystemTitle}", ECCurve.NamedCurves.nistP521)), "meter-s2-signing", RefusalKind.KeyNotAllowed)
            .SetName("P-521 key for a Suite 2 profile");
        yield return new TestCaseData((Func<byte[]>)(() => Csrs.Rsa("CN=legacy", 1024)), "hes-client", RefusalKind.KeyNotAllowed)
            .SetName("RSA-1024");
        yield return new TestCaseData((Func<byte[]>)(() => Csrs.Rsa("CN=hes", 2048)), "hes-client", RefusalKind.KeyNotAllowed)
            .SetName("RSA key for an EC-only profile");
        yield return new TestCaseData((Func<byte[]>)(() => Csrs.WithExplicitCurve($"CN={Csrs.SystemTitle}")), "meter-s1-signing", RefusalKind.KeyNotAllowed)
            .SetName("explicit curve parameters");
        yield return new TestCaseData((Func<byte[]>)(() => Csrs.Ec($"CN={Csrs.SystemTitle}")[..40]), "meter-s1-signing", RefusalKind.MalformedRequest)
            .SetName("truncated DER");
        yield return new TestCaseData((Func<byte[]>)(() => [0x30, 0x80, 0x00, 0x00]), "meter-s1-signing", RefusalKind.MalformedRequest)
            .SetName("BER indefinite length");
        yield return new TestCaseData((Func<byte[]>)(() => new byte[70_000]), "meter-s1-signing", RefusalKind.MalformedRequest)
            .SetName("over the size bound");
        yield return new TestCaseData((Func<byte[]>)(() => Csrs.Ec("CN=meter-42")), "meter-s1-signing", RefusalKind.ProfileViolation)
            .SetName("CN that is not a system title");
        yield return new TestCaseData((Func<byte[]>)(() => Csrs.Ec("CN=4d4d4d0000bc614e")), "meter-s1-signing", RefusalKind.ProfileViolation)
            .SetName("system title in lower case");
        yield return new TestCaseData((Func<byte[]>)(() => Csrs.Ec($"CN={Csrs.SystemTitle}, O=Extra")), "meter-s1-signing", RefusalKind.ProfileViolation)
            .SetName("extra subject attribute on a meter");
        yield return new TestCaseData((Func<byte[]>)(() => Csrs.WithDnsNames($"CN={Csrs.SystemTitle}", "meter.example")), "meter-s1-signing", RefusalKind.ProfileViolation)
            .SetName("SAN on a profile that allows none");
        yield return new TestCaseData((Func<byte[]>)(() => Csrs.Ec("CN=hes.example.net")), "hes-server", RefusalKind.ProfileViolation)
            .SetName("server certificate without SAN");
        yield return new TestCaseData((Func<byte[]>)(() => Csrs.WithDnsNames("CN=x", "bad_name!")), "hes-server", RefusalKind.ProfileViolation)
            .SetName("invalid DNS name");
        yield return new TestCaseData((Func<byte[]>)(() => Csrs.Ec("CN=x")), "no-such-profile", RefusalKind.UnknownProfile)
            .SetName("unknown profile");
    }

    [TestCaseSource(nameof(BadRequests))]
    public void Bad_request_is_refused_and_nothing_is_stored(Func<byte[]> csr, string profile, RefusalKind expected)
    {
        var refusal = Assert.ThrowsAsync<IssuanceRefusal>(() => _ca.IssueAsync(csr(), profile));
        Assert.That(refusal!.Kind, Is.EqualTo(expected), refusal.Reason);
        Assert.That(refusal.Reason, Is.Not.Empty.And.Not.Contains("\n"));
        Assert.That(_ca.Store.Certificates, Is.Empty, "nothing reserved or stored");
        Assert.That(_ca.Keys.Values.Sum(k => k.Signatures), Is.Zero, "the issuing keys signed nothing");
        var audit = _ca.Store.AuditEvents.Single();
        Assert.That(audit.Outcome, Is.EqualTo("refused"));
        Assert.That(audit.Detail, Does.Contain(expected.ToString()));
    }

    [Test]
    public void Protocol_not_allowed_by_the_profile_is_not_authorized()
    {
        var request = new EnrollmentRequest(Csrs.Ec("CN=x"), "ocsp-responder", Requester.Administrator("est-user"), EnrollmentProtocol.Est);
        var refusal = Assert.ThrowsAsync<IssuanceRefusal>(() => _ca.Issuance.IssueAsync(request, CancellationToken.None));
        Assert.That(refusal!.Kind, Is.EqualTo(RefusalKind.NotAuthorized));
    }

    [Test]
    public void Requester_bound_to_other_profiles_is_not_authorized()
    {
        var requester = Requester.ForCredential(new Core.Credentials.EnrollmentCredential("est-account", "account-7", "", ["hes-client"], null, null, false, null,
            TestCa.Start), "account:account-7");
        var request = new EnrollmentRequest(Csrs.Ec("CN=DCU-1"), "dcu", requester, EnrollmentProtocol.Est);
        var refusal = Assert.ThrowsAsync<IssuanceRefusal>(() => _ca.Issuance.IssueAsync(request, CancellationToken.None));
        Assert.That(refusal!.Kind, Is.EqualTo(RefusalKind.NotAuthorized));
    }

    [Test]
    public void Device_registered_under_another_system_title_is_refused()
    {
        var request = new EnrollmentRequest(Csrs.Ec($"CN={Csrs.SystemTitle}"), "meter-s1-signing", Requester.Administrator("t"), EnrollmentProtocol.Cli)
        {
            Device = new DeviceContext("4D4D4D0000000001", "DCU-1", "LOT-1", null),
        };
        var refusal = Assert.ThrowsAsync<IssuanceRefusal>(() => _ca.Issuance.IssueAsync(request, CancellationToken.None));
        Assert.That(refusal!.Kind, Is.EqualTo(RefusalKind.ProfileViolation));
    }

    [Test]
    public async Task Renewal_that_changes_the_subject_is_refused()
    {
        var first = await _ca.IssueAsync(Csrs.Ec("CN=DCU-0009"), "dcu");
        var renewal = new EnrollmentRequest(Csrs.Ec("CN=DCU-0010"), "dcu", Requester.Administrator("t"), EnrollmentProtocol.Cli) { Renewing = CertificateFields.Read(first.Der) };
        var refusal = Assert.ThrowsAsync<IssuanceRefusal>(() => _ca.Issuance.IssueAsync(renewal, CancellationToken.None));
        Assert.That(refusal!.Kind, Is.EqualTo(RefusalKind.ProfileViolation));
        Assert.That(refusal.Reason, Does.Contain("subject"));
        Assert.That(refusal.Reason, Does.Contain("CN=DCU-0009"), "the refusal names the current subject");
    }
}
