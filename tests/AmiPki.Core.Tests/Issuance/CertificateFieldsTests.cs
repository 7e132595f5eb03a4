using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Issuance;
using AmiPki.Core.Profiles;
using AmiPki.Core.Tests.Support;

namespace AmiPki.Core.Tests.Issuance;

/// <summary>A certificate read from DER: the same fields .NET reads, and the renewal identity rule on them.</summary>
public sealed class CertificateFieldsTests
{
    private TestCa _ca = null!;

    [SetUp]
    public void SetUp() => _ca = TestCa.Create();

    [TearDown]
    public void TearDown() => _ca.Dispose();

    [Test]
    public async Task Reads_the_names_and_the_subject_alternative_names_as_dotnet_does()
    {
        var issued = await _ca.IssueAsync(Csrs.WithDnsNames("CN=hes.example.net", "hes.example.net", "hes2.example.net"), "hes-server");
        using var certificate = issued.ToX509();

        var renewed = CertificateFields.Read(issued.Der);

        Assert.That(renewed.Der, Is.SameAs(issued.Der));
        Assert.That(renewed.SubjectDer, Is.EqualTo(certificate.SubjectName.RawData));
        Assert.That(renewed.IssuerDer, Is.EqualTo(certificate.IssuerName.RawData));
        Assert.That(renewed.SerialHex, Is.EqualTo(certificate.SerialNumber));
        Assert.That(renewed.NotAfter, Is.EqualTo(new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero)));
        Assert.That(renewed.SubjectPublicKeyInfo, Is.EqualTo(certificate.PublicKey.ExportSubjectPublicKeyInfo()));
        Assert.That(renewed.SubjectKeyIdentifier, Is.EqualTo(certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifierBytes.ToArray()));
        Assert.That(renewed.SubjectAltName, Is.EqualTo(certificate.Extensions["2.5.29.17"]!.RawData));
        Assert.That(renewed.Subject, Is.EqualTo("CN=hes.example.net"));
    }

    [Test]
    public async Task Reads_the_same_fields_from_the_tbs_alone()
    {
        var issued = await _ca.IssueAsync(Csrs.WithDnsNames("CN=hes.example.net", "hes.example.net"), "hes-server");
        using var certificate = issued.ToX509();
        var tbs = new AsnReader(issued.Der, AsnEncodingRules.DER).ReadSequence().ReadEncodedValue().ToArray();

        var fromTbs = CertificateFields.ReadTbs(tbs);
        var fromCertificate = CertificateFields.Read(issued.Der);

        Assert.That(fromTbs.Der, Is.SameAs(tbs));
        Assert.That((fromTbs.SerialHex, fromTbs.Subject, fromTbs.NotBefore, fromTbs.NotAfter),
            Is.EqualTo((fromCertificate.SerialHex, fromCertificate.Subject, fromCertificate.NotBefore, fromCertificate.NotAfter)));
        Assert.That(fromTbs.SubjectPublicKeyInfo, Is.EqualTo(fromCertificate.SubjectPublicKeyInfo));
        Assert.That(fromTbs.SubjectAltName, Is.EqualTo(fromCertificate.SubjectAltName));
        Assert.That(fromTbs.ExtensionOids, Is.EqualTo(certificate.Extensions.Select(e => e.Oid!.Value)));
        Assert.Throws<AsnContentException>(() => CertificateFields.ReadTbs(issued.Der), "a whole certificate is not a TBS");
    }

    [Test]
    public async Task A_certificate_without_subject_alternative_names_has_none()
    {
        var issued = await _ca.IssueAsync(Csrs.Ec("CN=DCU-0020"), "dcu");

        Assert.That(CertificateFields.Read(issued.Der).SubjectAltName, Is.Null);
    }

    [Test]
    public async Task Renewal_that_changes_the_subject_alternative_names_is_refused()
    {
        var first = await _ca.IssueAsync(Csrs.WithDnsNames("CN=hes.example.net", "hes.example.net"), "hes-server");
        var renewal = new EnrollmentRequest(Csrs.WithDnsNames("CN=hes.example.net", "hes.example.net", "other.example.net"), "hes-server",
            Requester.Administrator("t"), EnrollmentProtocol.Cli) { Renewing = CertificateFields.Read(first.Der) };

        var refusal = Assert.ThrowsAsync<IssuanceRefusal>(() => _ca.Issuance.IssueAsync(renewal, CancellationToken.None));
        Assert.That(refusal!.Kind, Is.EqualTo(RefusalKind.ProfileViolation));
        Assert.That(refusal.Reason, Does.Contain("subject alternative names"));
    }

    [Test]
    public void Anything_but_a_der_certificate_is_refused()
    {
        Assert.Throws<AsnContentException>(() => CertificateFields.Read([0x30, 0x03, 0x02, 0x01, 0x01]));
        Assert.Throws<AsnContentException>(() => CertificateFields.Read([0x30, 0x80, 0x00, 0x00]));
    }
}
