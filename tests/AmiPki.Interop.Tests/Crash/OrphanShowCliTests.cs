using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Issuance;
using AmiPki.Core.Storage;
using AmiPki.Interop.Tests.Support;
using AmiPki.Storage.Sqlite;

namespace AmiPki.Interop.Tests.Crash;

/// <summary>
/// <c>amipki show SERIAL</c> of a serial whose signature never reached storage (a crash between reservation and
/// completion) prints what the to-be-signed certificate recorded with the intent would have certified.
/// </summary>
public sealed class OrphanShowCliTests
{
    [Test]
    public async Task Show_of_an_orphaned_serial_prints_what_its_recorded_tbs_certifies()
    {
        using var data = await DataDirectory.InitAsync();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=orphan-hes.example.net", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("orphan-hes.example.net");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        var notBefore = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var standIn = request.CreateSelfSigned(notBefore, notBefore.AddYears(1));
        // Certificate ::= SEQUENCE { tbsCertificate, ... }: a stand-in TBS with a real shape (the signature never happened).
        var tbs = new AsnReader(standIn.RawData, AsnEncodingRules.DER).ReadSequence().ReadEncodedValue().ToArray();
        var serial = standIn.SerialNumber;

        await using (var storage = await SqliteStorage.OpenAsync(data.Database, "orphan-test", TimeProvider.System, CancellationToken.None))
        {
            var intent = new IssuanceIntent("issuing-s1", serial, "hes-server", "CN=orphan-hes.example.net", notBefore, notBefore.AddYears(1),
                "est:orphan", "est", DateTimeOffset.UtcNow.AddMinutes(-1), TbsDer: tbs);
            Assert.That(await storage.Issuance.TryReserveAsync(intent, CancellationToken.None), Is.True);
            // The process died before the signature: the next start marks the intent outcome-unknown.
            var recovered = await new OrphanedIntentRecovery(storage.Issuance, TimeProvider.System).RunAsync(DateTimeOffset.UtcNow, CancellationToken.None);
            Assert.That(recovered.Select(r => r.SerialHex), Is.EqualTo(new[] { serial }));
        }

        var show = await data.CliAsync("show", serial);

        Assert.That(show.ExitCode, Is.EqualTo(0), show.Describe());
        Assert.That(show.StandardOutput, Does.Contain("state:       outcome-unknown"), show.Describe());
        Assert.That(show.StandardOutput, Does.Contain("to be signed"), show.Describe());
        Assert.That(show.StandardOutput, Does.Contain("  subject:   CN=orphan-hes.example.net"), show.Describe());
        Assert.That(show.StandardOutput, Does.Contain("dns:orphan-hes.example.net").IgnoreCase, show.Describe());
        Assert.That(show.StandardOutput, Does.Contain("  validity:  2026-01-01 00:00:00Z .. 2027-01-01 00:00:00Z"), show.Describe());
        Assert.That(show.StandardOutput, Does.Contain("EC P-256, SPKI sha256 " + Convert.ToHexString(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))),
            show.Describe());
        Assert.That(show.StandardOutput, Does.Contain("subjectAltName").And.Contain("keyUsage"), show.Describe());
        Assert.That(show.StandardOutput, Does.Not.Contain("BEGIN CERTIFICATE"), show.Describe());
    }
}
