using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Revocation;
using AmiPki.Protocols.Ocsp;
using NUnit.Framework;

namespace AmiPki.Protocols.Tests.Ocsp;

/// <summary>The responder over real storage: statuses, signer, nonce, CertID hashes, caching and re-signing on revocation.</summary>
public sealed class OcspResponderTests
{
    private RevocationTestBed _bed = null!;
    private OcspResponder _responder = null!;
    private X509Certificate2 _issuer = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _bed = await RevocationTestBed.CreateAsync();
        _responder = await _bed.CreateResponderAsync();
        _issuer = _bed.Ca("issuing-s1").Certificate;
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _responder.Dispose();
        await _bed.DisposeAsync();
    }

    [Test]
    public async Task An_issued_certificate_is_good_and_signed_by_the_delegated_responder()
    {
        var meter = await _bed.IssueMeterAsync("4D4D4D0000000001");
        var response = await AskAsync(OcspTestClient.Request(_issuer, meter));
        Assert.That(response.Status, Is.EqualTo(0));
        Assert.That(response.Responses.Single().Status, Is.EqualTo(CertificateStatus.Good));
        Assert.That(response.Responses.Single().NextUpdate, Is.GreaterThan(response.Responses.Single().ThisUpdate));

        var responderCertificate = response.Certificates.Single();
        Assert.That(responderCertificate.IssuerName.RawData, Is.EqualTo(_issuer.SubjectName.RawData));
        var eku = responderCertificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single();
        Assert.That(eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value), Does.Contain("1.3.6.1.5.5.7.3.9"));
        Assert.That(responderCertificate.Extensions["1.3.6.1.5.5.7.48.1.5"], Is.Not.Null, "id-pkix-ocsp-nocheck");
        using (var chain = new X509Chain())
        {
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(_bed.Ca("root").Certificate);
            chain.ChainPolicy.ExtraStore.Add(_issuer);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            Assert.That(chain.Build(responderCertificate), Is.True, "the responder chains to the root");
        }
        // ResponderID byKey is the SHA-1 of the responder's public key bits, and the signature verifies with that key.
        Assert.That(response.ResponderKeyHash, Is.EqualTo(SHA1.HashData(responderCertificate.PublicKey.EncodedKeyValue.RawData)));
        using var key = responderCertificate.GetECDsaPublicKey()!;
        Assert.That(key.VerifyData(response.Tbs!, response.Signature!, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence), Is.True);
    }

    [Test]
    public async Task A_never_issued_serial_is_unknown_never_good()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = 0x11;
        var response = await AskAsync(OcspTestClient.Request(_issuer, [serial]));
        Assert.That(response.Status, Is.EqualTo(0));
        Assert.That(response.Responses.Single().Status, Is.EqualTo(CertificateStatus.Unknown));
    }

    [Test]
    public async Task A_revoked_certificate_is_revoked_with_its_reason_at_once_even_when_a_good_answer_was_cached()
    {
        var meter = await _bed.IssueMeterAsync("4D4D4D0000000002");
        var request = OcspTestClient.Request(_issuer, meter);
        Assert.That((await AskAsync(request)).Responses.Single().Status, Is.EqualTo(CertificateStatus.Good));
        var result = await _bed.Revocations.RevokeAsync([new SerialReference(null, meter.SerialNumber)], RevocationReason.KeyCompromise, null, "test", null,
            CancellationToken.None);
        Assert.That(result.Changed, Is.EqualTo(1));
        var single = (await AskAsync(request)).Responses.Single();
        Assert.That(single.Status, Is.EqualTo(CertificateStatus.Revoked));
        Assert.That(single.Reason, Is.EqualTo(RevocationReason.KeyCompromise));
        Assert.That(single.RevokedAt, Is.Not.Null);
    }

    [Test]
    public async Task A_revocation_committed_by_another_process_is_in_the_very_next_answer_though_no_notification_came()
    {
        var meter = await _bed.IssueMeterAsync("4D4D4D000000000A");
        var request = OcspTestClient.Request(_issuer, meter);
        var good = await _responder.RespondAsync(request, CancellationToken.None);
        Assert.That(good.CertificateStatus, Is.EqualTo(CertificateStatus.Good));
        Assert.That(await _responder.RespondAsync(request, CancellationToken.None), Is.SameAs(good), "pre-signed and unchanged: served as it is");

        // Straight into storage, as the CLI or another node does: this process's notifier never hears of it.
        var serial = Convert.ToHexString(meter.SerialNumberBytes.Span);
        var revocation = new RevocationInfo(RevocationReason.KeyCompromise, DateTimeOffset.UtcNow, null);
        Assert.That(await _bed.Storage.Revocations.RevokeAsync("issuing-s1", [serial], revocation, "other-process", null, CancellationToken.None), Is.EqualTo(1));

        var revoked = await _responder.RespondAsync(request, CancellationToken.None);
        var single = OcspTestClient.Parse(revoked.Der).Responses.Single();
        Assert.That((single.Status, single.Reason), Is.EqualTo((CertificateStatus.Revoked, (RevocationReason?)RevocationReason.KeyCompromise)));
        Assert.That(await _responder.RespondAsync(request, CancellationToken.None), Is.SameAs(revoked), "the re-signed answer is the new pre-signed one");
    }

    [Test]
    public async Task A_hold_and_its_release_committed_elsewhere_are_each_in_the_next_answer()
    {
        var meter = await _bed.IssueMeterAsync("4D4D4D000000000B");
        var request = OcspTestClient.Request(_issuer, meter);
        var serial = Convert.ToHexString(meter.SerialNumberBytes.Span);
        Assert.That((await AskAsync(request)).Responses.Single().Status, Is.EqualTo(CertificateStatus.Good));
        await _bed.Storage.Revocations.RevokeAsync("issuing-s1", [serial], new RevocationInfo(RevocationReason.CertificateHold, DateTimeOffset.UtcNow, null),
            "other-process", null, CancellationToken.None);
        var held = (await AskAsync(request)).Responses.Single();
        Assert.That((held.Status, held.Reason), Is.EqualTo((CertificateStatus.Revoked, (RevocationReason?)RevocationReason.CertificateHold)));
        Assert.That(await _bed.Storage.Revocations.ReleaseHoldAsync("issuing-s1", serial, "other-process", CancellationToken.None), Is.True);
        Assert.That((await AskAsync(request)).Responses.Single().Status, Is.EqualTo(CertificateStatus.Good));
    }

    [Test]
    public async Task A_hold_is_revoked_with_certificateHold_and_good_again_after_release()
    {
        var meter = await _bed.IssueMeterAsync("4D4D4D0000000003");
        var request = OcspTestClient.Request(_issuer, meter);
        var reference = new SerialReference("issuing-s1", meter.SerialNumber);
        await _bed.Revocations.RevokeAsync([reference], RevocationReason.CertificateHold, null, "test", null, CancellationToken.None);
        var held = (await AskAsync(request)).Responses.Single();
        Assert.That((held.Status, held.Reason), Is.EqualTo((CertificateStatus.Revoked, (RevocationReason?)RevocationReason.CertificateHold)));
        var release = await _bed.Revocations.ReleaseHoldAsync([reference], "test", null, CancellationToken.None);
        Assert.That(release.Changed, Is.EqualTo(1));
        Assert.That((await AskAsync(request)).Responses.Single().Status, Is.EqualTo(CertificateStatus.Good));
    }

    [Test]
    public async Task The_nonce_is_echoed_byte_for_byte_and_such_answers_are_not_cacheable()
    {
        var meter = await _bed.IssueMeterAsync("4D4D4D0000000004");
        var nonce = RandomNumberGenerator.GetBytes(32);
        var reply = await _responder.RespondAsync(OcspTestClient.Request(_issuer, meter, nonce: nonce), CancellationToken.None);
        var response = OcspTestClient.Parse(reply.Der);
        Assert.That(response.NonceValue, Is.EqualTo(new byte[] { 0x04, 0x20 }.Concat(nonce).ToArray()));
        Assert.That(reply.Cacheable, Is.False);
        Assert.That(response.Responses.Single().Status, Is.EqualTo(CertificateStatus.Good));
    }

    [Test]
    public async Task SHA256_CertIDs_are_answered_with_the_CertID_echoed()
    {
        var meter = await _bed.IssueMeterAsync("4D4D4D0000000005");
        var request = OcspTestClient.Request(_issuer, meter, HashAlgorithmName.SHA256);
        var response = await AskAsync(request);
        Assert.That(response.Responses.Single().Status, Is.EqualTo(CertificateStatus.Good));
        var parsed = OcspRequest.Parse(request);
        Assert.That(response.Responses.Single().CertId, Is.EqualTo(parsed.CertIds[0].Encoded.ToArray()));
    }

    [Test]
    public async Task Pre_signed_answers_are_served_as_they_are_until_due()
    {
        var meter = await _bed.IssueMeterAsync("4D4D4D0000000006");
        var request = OcspTestClient.Request(_issuer, meter);
        var first = await _responder.RespondAsync(request, CancellationToken.None);
        var second = await _responder.RespondAsync(request, CancellationToken.None);
        Assert.That(second, Is.SameAs(first));
        Assert.That(first.Cacheable, Is.True);
        Assert.That(first.ETag, Does.StartWith("\""));
    }

    [Test]
    public async Task Several_certificates_in_one_request_are_answered_together()
    {
        var a = await _bed.IssueMeterAsync("4D4D4D0000000007");
        var b = await _bed.IssueMeterAsync("4D4D4D0000000008");
        var unknown = new byte[] { 0x01, 0x02 };
        var response = await AskAsync(OcspTestClient.Request(_issuer, [a.SerialNumberBytes.ToArray(), b.SerialNumberBytes.ToArray(), unknown]));
        Assert.That(response.Responses.Select(r => r.Status),
            Is.EqualTo(new[] { CertificateStatus.Good, CertificateStatus.Good, CertificateStatus.Unknown }));
    }

    [Test]
    public async Task An_issuer_we_do_not_serve_is_unauthorized()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var stranger = new CertificateRequest("CN=Somebody Else's CA", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var response = await AskAsync(OcspTestClient.Request(stranger, [new byte[] { 0x01 }]));
        Assert.That(response.Status, Is.EqualTo((int)OcspResponseStatus.Unauthorized));
    }

    [TestCase(new byte[] { })]
    [TestCase(new byte[] { 0x30, 0x03, 0x02, 0x01 })]
    [TestCase(new byte[] { 0x04, 0x00 })]
    public async Task Garbage_is_malformedRequest(byte[] garbage)
    {
        var response = await AskAsync(garbage);
        Assert.That(response.Status, Is.EqualTo((int)OcspResponseStatus.MalformedRequest));
        Assert.That(response.Responses, Is.Empty);
    }

    [Test]
    public async Task The_issuing_CA_certificate_is_good_at_the_root_responder()
    {
        var response = await AskAsync(OcspTestClient.Request(_bed.Ca("root").Certificate, _issuer));
        Assert.That(response.Responses.Single().Status, Is.EqualTo(CertificateStatus.Good));
    }

    [Test]
    public async Task Suite2_answers_are_signed_with_a_P384_responder()
    {
        var meter = await _bed.IssueMeterAsync("4D4D4D0000000009", profile: "meter-s2-signing");
        var response = await AskAsync(OcspTestClient.Request(_bed.Ca("issuing-s2").Certificate, meter));
        Assert.That(response.Responses.Single().Status, Is.EqualTo(CertificateStatus.Good));
        Assert.That(response.SignatureAlgorithm, Is.EqualTo("1.2.840.10045.4.3.3"));
        using var key = response.Certificates.Single().GetECDsaPublicKey()!;
        Assert.That(key.KeySize, Is.EqualTo(384));
    }

    private async Task<OcspTestClient.Parsed> AskAsync(byte[] request) =>
        OcspTestClient.Parse((await _responder.RespondAsync(request, CancellationToken.None)).Der);
}
