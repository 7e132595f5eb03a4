using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Revocation;
using AmiPki.Core.Storage;
using AmiPki.Protocols.Cmp;
using AmiPki.Protocols.Tests.Cmp.Support;
using NUnit.Framework;

namespace AmiPki.Protocols.Tests.Cmp;

/// <summary>
/// The CMP responder end to end without HTTP: enrollment with PBM and PBMAC1, certConf, implicitConfirm, kur, rr,
/// genm, and each refusal with its PKIFailureInfo, with nothing issued and an audit entry (RFC 4210, RFC 9483).
/// </summary>
public sealed class CmpServiceTests
{
    private CmpTestBed _bed = null!;

    [SetUp]
    public async Task Start() => _bed = await CmpTestBed.StartAsync();

    [TearDown]
    public async Task Stop() => await _bed.DisposeAsync();

    [Test]
    public async Task Ir_with_PBM_issues_answers_with_a_MAC_under_the_same_secret_and_certConf_confirms()
    {
        await _bed.AddReferenceAsync("ref-1");
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var client = new CmpTestClient();
        var ip = await _bed.SendAsync(client.Message(PkiBodyType.Ir, CmpTestClient.CertRequest(key, "CN=DCU-0001"), CmpTestProtection.Mac("ref-1", CmpTestBed.Secret)));

        Assert.That(ip.BodyType, Is.EqualTo(PkiBodyType.Ip), ip.Failure?.ToString());
        Assert.That(ip.MacVerifies(CmpTestBed.Secret), Is.True, "RFC 9483 §3.2: the response is MAC-protected with the same secret");
        Assert.That(ip.Message.Header.TransactionId, Is.EqualTo(client.TransactionId));
        Assert.That(ip.Message.Header.RecipNonce, Is.EqualTo(client.SenderNonce));
        using var certificate = X509CertificateLoader.LoadCertificate(ip.Certificate);
        Assert.That(certificate.Subject, Is.EqualTo("CN=DCU-0001"));
        Assert.That(certificate.PublicKey.ExportSubjectPublicKeyInfo(), Is.EqualTo(key.ExportSubjectPublicKeyInfo()));

        client.RecipNonce = ip.Message.Header.SenderNonce;
        var conf = await _bed.SendAsync(client.Message(PkiBodyType.CertConf, CmpTestClient.CertConf(ip.Certificate), CmpTestProtection.Mac("ref-1", CmpTestBed.Secret)));
        Assert.That(conf.BodyType, Is.EqualTo(PkiBodyType.PkiConf), conf.Failure?.ToString());

        // Confirmed: the sweep after the wait revokes nothing.
        _bed.Clock.Advance(TimeSpan.FromSeconds(_bed.Options.ConfirmWaitSeconds + 1));
        Assert.That(await _bed.Sweeper.SweepAsync(), Is.EqualTo(0));
        Assert.That((await _bed.RecordOfAsync(ip.Certificate))!.Revocation, Is.Null);
    }

    [Test]
    public async Task Ir_with_PBMAC1_issues()
    {
        await _bed.AddReferenceAsync("ref-pbmac1");
        var mac = Pbmac1.Create(RandomNumberGenerator.GetBytes(16), 1000, 32, HashAlgorithmName.SHA256, HashAlgorithmName.SHA256);
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var ip = await _bed.SendAsync(new CmpTestClient().Message(PkiBodyType.Ir, CmpTestClient.CertRequest(key, "CN=DCU-PBMAC1"),
            CmpTestProtection.Mac("ref-pbmac1", CmpTestBed.Secret, mac), implicitConfirm: true));
        Assert.That(ip.BodyType, Is.EqualTo(PkiBodyType.Ip), ip.Failure?.ToString());
        Assert.That(ip.Message.Header.ProtectionAlgorithmOid, Is.EqualTo("1.2.840.113549.1.5.14"));
        Assert.That(ip.MacVerifies(CmpTestBed.Secret), Is.True);
    }

    [Test]
    public async Task Implicit_confirm_is_granted_and_echoed_and_needs_no_certConf()
    {
        await _bed.AddReferenceAsync("ref-implicit");
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var ip = await _bed.SendAsync(new CmpTestClient().Message(PkiBodyType.Ir, CmpTestClient.CertRequest(key, "CN=DCU-IMPLICIT"),
            CmpTestProtection.Mac("ref-implicit", CmpTestBed.Secret), implicitConfirm: true));
        Assert.That(ip.BodyType, Is.EqualTo(PkiBodyType.Ip));
        Assert.That(ip.Message.Header.ImplicitConfirm, Is.True, "RFC 4210 §5.1.1.1: granted implicitConfirm is echoed");
        _bed.Clock.Advance(TimeSpan.FromSeconds(_bed.Options.ConfirmWaitSeconds + 1));
        Assert.That(await _bed.Sweeper.SweepAsync(), Is.EqualTo(0));
    }

    [Test]
    public async Task A_certificate_never_confirmed_is_revoked_after_the_wait()
    {
        await _bed.AddReferenceAsync("ref-silent");
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var ip = await _bed.SendAsync(new CmpTestClient().Message(PkiBodyType.Ir, CmpTestClient.CertRequest(key, "CN=DCU-SILENT"),
            CmpTestProtection.Mac("ref-silent", CmpTestBed.Secret)));
        Assert.That(ip.BodyType, Is.EqualTo(PkiBodyType.Ip));
        Assert.That(await _bed.Sweeper.SweepAsync(), Is.EqualTo(0), "not yet due");
        _bed.Clock.Advance(TimeSpan.FromSeconds(_bed.Options.ConfirmWaitSeconds + 1));
        Assert.That(await _bed.Sweeper.SweepAsync(), Is.EqualTo(1));
        Assert.That((await _bed.RecordOfAsync(ip.Certificate))!.Revocation, Is.Not.Null);
        Assert.That(await _bed.AuditCountAsync("cmp", "revoked"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_certConf_that_rejects_revokes_the_certificate()
    {
        await _bed.AddReferenceAsync("ref-reject");
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var client = new CmpTestClient();
        var protection = CmpTestProtection.Mac("ref-reject", CmpTestBed.Secret);
        var ip = await _bed.SendAsync(client.Message(PkiBodyType.Ir, CmpTestClient.CertRequest(key, "CN=DCU-REJECT"), protection));
        client.RecipNonce = ip.Message.Header.SenderNonce;
        var conf = await _bed.SendAsync(client.Message(PkiBodyType.CertConf, CmpTestClient.CertConf(ip.Certificate, reject: true), protection));
        Assert.That(conf.BodyType, Is.EqualTo(PkiBodyType.PkiConf));
        Assert.That((await _bed.RecordOfAsync(ip.Certificate))!.Revocation, Is.Not.Null);
    }

    [Test]
    public async Task A_certConf_with_the_wrong_hash_is_badCertId()
    {
        await _bed.AddReferenceAsync("ref-hash");
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var client = new CmpTestClient();
        var protection = CmpTestProtection.Mac("ref-hash", CmpTestBed.Secret);
        var ip = await _bed.SendAsync(client.Message(PkiBodyType.Ir, CmpTestClient.CertRequest(key, "CN=DCU-HASH"), protection));
        client.RecipNonce = ip.Message.Header.SenderNonce;
        var conf = await _bed.SendAsync(client.Message(PkiBodyType.CertConf, CmpTestClient.CertConf(ip.Certificate, wrongHash: true), protection));
        Assert.That(conf.Failure, Is.EqualTo(PkiFailureInfo.BadCertId));
        Assert.That(conf.MacVerifies(CmpTestBed.Secret), Is.True, "errors to an authenticated sender are MAC-protected");
    }

    [Test]
    public async Task A_certConf_with_a_stale_recipNonce_is_badRecipientNonce()
    {
        await _bed.AddReferenceAsync("ref-nonce");
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var client = new CmpTestClient();
        var protection = CmpTestProtection.Mac("ref-nonce", CmpTestBed.Secret);
        var ip = await _bed.SendAsync(client.Message(PkiBodyType.Ir, CmpTestClient.CertRequest(key, "CN=DCU-NONCE"), protection));
        client.RecipNonce = RandomNumberGenerator.GetBytes(16);
        var conf = await _bed.SendAsync(client.Message(PkiBodyType.CertConf, CmpTestClient.CertConf(ip.Certificate), protection));
        Assert.That(conf.Failure, Is.EqualTo(PkiFailureInfo.BadRecipientNonce));
    }

    [Test]
    public async Task A_replayed_transaction_is_transactionIdInUse_and_issues_nothing()
    {
        await _bed.AddReferenceAsync("ref-replay");
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CmpTestClient().Message(PkiBodyType.Ir, CmpTestClient.CertRequest(key, "CN=DCU-REPLAY"), CmpTestProtection.Mac("ref-replay", CmpTestBed.Secret));
        Assert.That((await _bed.SendAsync(request)).BodyType, Is.EqualTo(PkiBodyType.Ip));
        var replay = await _bed.SendAsync(request);
        Assert.That(replay.Failure, Is.EqualTo(PkiFailureInfo.TransactionIdInUse));
        Assert.That(await _bed.CountAsync(), Is.EqualTo(1));
        Assert.That(await _bed.AuditCountAsync("cmp", "refused"), Is.EqualTo(1));
    }

    [TestCase(99, 16, TestName = "iterationCount 99")]
    [TestCase(100_001, 16, TestName = "iterationCount 100001")]
    [TestCase(1_000_000_000, 16, TestName = "iterationCount 1e9")]
    [TestCase(500, 7, TestName = "salt of 7 bytes")]
    [TestCase(500, 65, TestName = "salt of 65 bytes")]
    public async Task PBM_parameters_out_of_bounds_are_badAlg(int iterations, int saltLength)
    {
        await _bed.AddReferenceAsync("ref-bounds");
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var response = await _bed.SendAsync(new CmpTestClient().Message(PkiBodyType.Ir, CmpTestClient.CertRequest(key, "CN=DCU-BOUNDS"),
            CmpTestProtection.RawPbm("ref-bounds", saltLength, iterations)));
        Assert.That(response.Failure, Is.EqualTo(PkiFailureInfo.BadAlg));
        Assert.That(await _bed.CountAsync(), Is.EqualTo(0));
    }

    [Test]
    public async Task A_wrong_secret_is_badMessageCheck_signed_by_the_responder_with_an_audit_entry()
    {
        await _bed.AddReferenceAsync("ref-wrong");
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var response = await _bed.SendAsync(new CmpTestClient().Message(PkiBodyType.Ir, CmpTestClient.CertRequest(key, "CN=DCU-WRONG"),
            CmpTestProtection.Mac("ref-wrong", "not-the-secret")));
        Assert.That(response.Failure, Is.EqualTo(PkiFailureInfo.BadMessageCheck));
        Assert.That(response.Message.Header.ProtectionAlgorithmOid, Is.EqualTo("1.2.840.10045.4.3.2"), "signed by the CMP responder");
        Assert.That(response.Message.ExtraCerts, Is.Not.Empty);
        using var responder = X509CertificateLoader.LoadCertificate(response.Message.ExtraCerts[0]);
        Assert.That(CmpSignatures.Verify(responder.PublicKey.ExportSubjectPublicKeyInfo(), "1.2.840.10045.4.3.2", response.Message.ProtectedPart.Span,
            response.Message.Protection), Is.True);
        Assert.That(responder.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages.HasFlag(X509KeyUsageFlags.DigitalSignature), Is.True);
        Assert.That(await _bed.CountAsync(), Is.EqualTo(0));
        Assert.That(await _bed.AuditCountAsync("cmp", "refused"), Is.EqualTo(1));
    }

    [Test]
    public async Task An_unknown_reference_is_signerNotTrusted()
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var response = await _bed.SendAsync(new CmpTestClient().Message(PkiBodyType.Ir, CmpTestClient.CertRequest(key, "CN=DCU-NOBODY"),
            CmpTestProtection.Mac("nobody", CmpTestBed.Secret)));
        Assert.That(response.Failure, Is.EqualTo(PkiFailureInfo.SignerNotTrusted));
        Assert.That(await _bed.CountAsync(), Is.EqualTo(0));
    }

    [Test]
    public async Task A_bad_POP_is_badPOP_and_does_not_burn_a_one_time_reference()
    {
        await _bed.AddReferenceAsync("ref-pop", oneTime: true);
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var response = await _bed.SendAsync(new CmpTestClient().Message(PkiBodyType.Ir, CmpTestClient.CertRequest(key, "CN=DCU-POP", corruptPop: true),
            CmpTestProtection.Mac("ref-pop", CmpTestBed.Secret)));
        Assert.That(response.Failure, Is.EqualTo(PkiFailureInfo.BadPop));
        Assert.That(await _bed.CountAsync(), Is.EqualTo(0));
        await _bed.EnrollAsync("ref-pop", "CN=DCU-POP");
    }

    [Test]
    public async Task A_one_time_reference_works_once_then_is_notAuthorized()
    {
        await _bed.AddReferenceAsync("ref-once", oneTime: true);
        await _bed.EnrollAsync("ref-once", "CN=DCU-ONCE");
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var again = await _bed.SendAsync(new CmpTestClient().Message(PkiBodyType.Ir, CmpTestClient.CertRequest(key, "CN=DCU-ONCE"),
            CmpTestProtection.Mac("ref-once", CmpTestBed.Secret)));
        Assert.That(again.Failure, Is.EqualTo(PkiFailureInfo.NotAuthorized));
        Assert.That(await _bed.CountAsync(), Is.EqualTo(1));
    }

    [Test]
    public async Task An_expired_reference_is_notAuthorized()
    {
        await _bed.AddReferenceAsync("ref-expired", expires: _bed.Clock.GetUtcNow().AddMinutes(1));
        _bed.Clock.Advance(TimeSpan.FromMinutes(2));
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var response = await _bed.SendAsync(new CmpTestClient().Message(PkiBodyType.Ir, CmpTestClient.CertRequest(key, "CN=DCU-LATE"),
            CmpTestProtection.Mac("ref-expired", CmpTestBed.Secret)));
        Assert.That(response.Failure, Is.EqualTo(PkiFailureInfo.NotAuthorized));
    }

    [Test]
    public async Task A_reference_bound_to_a_subject_refuses_another_subject()
    {
        await _bed.AddReferenceAsync("ref-bound", subject: "CN=DCU-BOUND");
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var response = await _bed.SendAsync(new CmpTestClient().Message(PkiBodyType.Ir, CmpTestClient.CertRequest(key, "CN=DCU-OTHER"),
            CmpTestProtection.Mac("ref-bound", CmpTestBed.Secret)));
        Assert.That(response.Failure, Is.EqualTo(PkiFailureInfo.NotAuthorized));
        await _bed.EnrollAsync("ref-bound", "CN=DCU-BOUND");
    }

    [Test]
    public async Task A_profile_violation_is_badCertTemplate()
    {
        await _bed.AddReferenceAsync("ref-violation");
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var response = await _bed.SendAsync(new CmpTestClient().Message(PkiBodyType.Ir, CmpTestClient.CertRequest(key, "O=No Common Name"),
            CmpTestProtection.Mac("ref-violation", CmpTestBed.Secret)));
        Assert.That(response.Failure, Is.EqualTo(PkiFailureInfo.BadCertTemplate));
        Assert.That(await _bed.CountAsync(), Is.EqualTo(0));
    }

    [Test]
    public async Task Kur_signed_with_the_current_certificate_renews_and_supersedes_after_certConf()
    {
        await _bed.AddReferenceAsync("ref-kur");
        var (oldKey, oldCertificate) = await _bed.EnrollAsync("ref-kur", "CN=DCU-KUR");
        using var old = X509CertificateLoader.LoadCertificate(oldCertificate);
        var newKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var client = new CmpTestClient();
        var protection = CmpTestProtection.Signature(oldKey, oldCertificate);
        var kup = await _bed.SendAsync(client.Message(PkiBodyType.Kur,
            CmpTestClient.CertRequest(newKey, "CN=DCU-KUR", oldCertId: (old.IssuerName.RawData, old.SerialNumberBytes.ToArray())), protection));
        Assert.That(kup.BodyType, Is.EqualTo(PkiBodyType.Kup), kup.Failure?.ToString());
        Assert.That(kup.Message.Header.ProtectionAlgorithmOid, Is.EqualTo("1.2.840.10045.4.3.2"), "answered with a signature, as asked");
        Assert.That((await _bed.RecordOfAsync(oldCertificate))!.Revocation, Is.Null, "superseded only after confirmation");

        client.RecipNonce = kup.Message.Header.SenderNonce;
        var conf = await _bed.SendAsync(client.Message(PkiBodyType.CertConf, CmpTestClient.CertConf(kup.Certificate), protection));
        Assert.That(conf.BodyType, Is.EqualTo(PkiBodyType.PkiConf), conf.Failure?.ToString());
        Assert.That((await _bed.RecordOfAsync(oldCertificate))!.Revocation?.Reason, Is.EqualTo(RevocationReason.Superseded));
    }

    [Test]
    public async Task Kur_with_a_MAC_is_notAuthorized()
    {
        await _bed.AddReferenceAsync("ref-kur-mac");
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var response = await _bed.SendAsync(new CmpTestClient().Message(PkiBodyType.Kur, CmpTestClient.CertRequest(key, "CN=DCU-KURMAC"),
            CmpTestProtection.Mac("ref-kur-mac", CmpTestBed.Secret)));
        Assert.That(response.Failure, Is.EqualTo(PkiFailureInfo.NotAuthorized));
    }

    [Test]
    public async Task A_bad_signature_is_badMessageCheck()
    {
        await _bed.AddReferenceAsync("ref-sig");
        var (_, certificate) = await _bed.EnrollAsync("ref-sig", "CN=DCU-SIG");
        var impostor = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var response = await _bed.SendAsync(new CmpTestClient().Message(PkiBodyType.Kur, CmpTestClient.CertRequest(impostor, "CN=DCU-SIG"),
            CmpTestProtection.Signature(impostor, certificate)));
        Assert.That(response.Failure, Is.EqualTo(PkiFailureInfo.BadMessageCheck));
    }

    [Test]
    public async Task A_certificate_from_another_CA_is_signerNotTrusted()
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var foreign = new CertificateRequest("CN=DCU-FOREIGN", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var response = await _bed.SendAsync(new CmpTestClient().Message(PkiBodyType.Kur, CmpTestClient.CertRequest(key, "CN=DCU-FOREIGN"),
            CmpTestProtection.Signature(key, foreign.RawData)));
        Assert.That(response.Failure, Is.EqualTo(PkiFailureInfo.SignerNotTrusted));
    }

    [Test]
    public async Task Rr_signed_by_the_holder_revokes_with_the_reason_and_a_second_rr_is_certRevoked()
    {
        await _bed.AddReferenceAsync("ref-rr");
        var (key, der) = await _bed.EnrollAsync("ref-rr", "CN=DCU-RR");
        using var certificate = X509CertificateLoader.LoadCertificate(der);
        var rp = await _bed.SendAsync(new CmpTestClient().Message(PkiBodyType.Rr, CmpTestClient.Rr(certificate, 1), CmpTestProtection.Signature(key, der)));
        Assert.That(rp.BodyType, Is.EqualTo(PkiBodyType.Rp), rp.Failure?.ToString());
        Assert.That((await _bed.RecordOfAsync(der))!.Revocation?.Reason, Is.EqualTo(RevocationReason.KeyCompromise));
        var again = await _bed.SendAsync(new CmpTestClient().Message(PkiBodyType.Rr, CmpTestClient.Rr(certificate, 1), CmpTestProtection.Signature(key, der)));
        Assert.That(again.Failure, Is.EqualTo(PkiFailureInfo.CertRevoked));
    }

    [Test]
    public async Task Rr_of_another_subjects_certificate_is_notAuthorized()
    {
        await _bed.AddReferenceAsync("ref-rr2");
        var (key, der) = await _bed.EnrollAsync("ref-rr2", "CN=DCU-A");
        var (_, victim) = await _bed.EnrollAsync("ref-rr2", "CN=DCU-B");
        using var victimCertificate = X509CertificateLoader.LoadCertificate(victim);
        var response = await _bed.SendAsync(new CmpTestClient().Message(PkiBodyType.Rr, CmpTestClient.Rr(victimCertificate, 1), CmpTestProtection.Signature(key, der)));
        Assert.That(response.Failure, Is.EqualTo(PkiFailureInfo.NotAuthorized));
        Assert.That((await _bed.RecordOfAsync(victim))!.Revocation, Is.Null);
    }

    [Test]
    public async Task A_profile_with_manual_approval_answers_waiting_then_pollRep_then_the_certificate_once_approved()
    {
        await _bed.AddReferenceAsync("ref-manual", profile: CmpTestBed.ManualProfile);
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var client = new CmpTestClient();
        var protection = CmpTestProtection.Mac("ref-manual", CmpTestBed.Secret);
        var waiting = await _bed.SendAsync(client.Message(PkiBodyType.Ir, CmpTestClient.CertRequest(key, "CN=DCU-MANUAL"), protection), CmpTestBed.ManualProfile);
        Assert.That(waiting.BodyType, Is.EqualTo(PkiBodyType.Ip), waiting.Failure?.ToString());
        Assert.That(waiting.Status, Is.EqualTo(3), "RFC 4210 §5.2.3: waiting");
        Assert.That(await _bed.CountAsync(CmpTestBed.ManualProfile), Is.EqualTo(0));

        client.RecipNonce = waiting.Message.Header.SenderNonce;
        var pollRep = await _bed.SendAsync(client.Message(PkiBodyType.PollReq, CmpTestClient.PollReq(), protection));
        Assert.That(pollRep.BodyType, Is.EqualTo(PkiBodyType.PollRep), pollRep.Failure?.ToString());

        var pending = (await _bed.Pending.ListAsync(Core.Approvals.PendingRequestState.Pending, 10, CancellationToken.None)).Single();
        Assert.That(await _bed.Pending.DecideAsync(pending.Id, true, "admin", null, _bed.Clock.GetUtcNow(), CancellationToken.None), Is.True);
        client.RecipNonce = pollRep.Message.Header.SenderNonce;
        var ip = await _bed.SendAsync(client.Message(PkiBodyType.PollReq, CmpTestClient.PollReq(), protection));
        Assert.That(ip.BodyType, Is.EqualTo(PkiBodyType.Ip), ip.Failure?.ToString());
        using var certificate = X509CertificateLoader.LoadCertificate(ip.Certificate);
        Assert.That(certificate.Subject, Is.EqualTo("CN=DCU-MANUAL"));

        client.RecipNonce = ip.Message.Header.SenderNonce;
        var conf = await _bed.SendAsync(client.Message(PkiBodyType.CertConf, CmpTestClient.CertConf(ip.Certificate), protection));
        Assert.That(conf.BodyType, Is.EqualTo(PkiBodyType.PkiConf), conf.Failure?.ToString());
        Assert.That((await _bed.Pending.FindAsync(pending.Id, CancellationToken.None))!.State, Is.EqualTo(Core.Approvals.PendingRequestState.Issued));
    }

    [Test]
    public async Task A_rejected_request_is_notAuthorized_at_the_next_poll()
    {
        await _bed.AddReferenceAsync("ref-manual-no", profile: CmpTestBed.ManualProfile);
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var client = new CmpTestClient();
        var protection = CmpTestProtection.Mac("ref-manual-no", CmpTestBed.Secret);
        var waiting = await _bed.SendAsync(client.Message(PkiBodyType.Ir, CmpTestClient.CertRequest(key, "CN=DCU-MANUAL-NO"), protection), CmpTestBed.ManualProfile);
        var pending = (await _bed.Pending.ListAsync(Core.Approvals.PendingRequestState.Pending, 10, CancellationToken.None)).Single();
        await _bed.Pending.DecideAsync(pending.Id, false, "admin", "unknown DCU", _bed.Clock.GetUtcNow(), CancellationToken.None);
        client.RecipNonce = waiting.Message.Header.SenderNonce;
        var rejected = await _bed.SendAsync(client.Message(PkiBodyType.PollReq, CmpTestClient.PollReq(), protection));
        Assert.That(rejected.Failure, Is.EqualTo(PkiFailureInfo.NotAuthorized));
        Assert.That(await _bed.CountAsync(CmpTestBed.ManualProfile), Is.EqualTo(0));
    }

    [Test]
    public async Task Genm_answers_caCerts_signKeyPairTypes_and_rootCaKeyUpdate()
    {
        await _bed.AddReferenceAsync("ref-genm");
        var genp = await _bed.SendAsync(new CmpTestClient().Message(PkiBodyType.Genm,
            CmpTestClient.Genm("1.3.6.1.5.5.7.4.17", "1.3.6.1.5.5.7.4.2", "1.3.6.1.5.5.7.4.20", "1.2.3.4"), CmpTestProtection.Mac("ref-genm", CmpTestBed.Secret)));
        Assert.That(genp.BodyType, Is.EqualTo(PkiBodyType.Genp));
        var types = InfoTypeRequest.ReadAll(genp.Message.BodyContent);
        Assert.That(types, Is.EqualTo(new[] { "1.3.6.1.5.5.7.4.17", "1.3.6.1.5.5.7.4.2", "1.3.6.1.5.5.7.4.18" }));
    }

    [Test]
    public async Task Garbage_is_answered_with_a_badDataFormat_error_never_an_exception()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        await _bed.AddReferenceAsync("ref-fuzz");
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var valid = new CmpTestClient().Message(PkiBodyType.Ir, CmpTestClient.CertRequest(key, "CN=DCU-FUZZ"), CmpTestProtection.Mac("ref-fuzz", CmpTestBed.Secret));
        for (var i = 0; i < 200; i++)
        {
            var mutated = random.Next(2) == 0 ? valid[..random.Next(valid.Length)] : (byte[])valid.Clone();
            if (mutated.Length == valid.Length)
            {
                mutated[random.Next(mutated.Length)] ^= (byte)(1 + random.Next(255));
            }
            var response = await _bed.SendAsync(mutated);
            Assert.That(response.BodyType, Is.EqualTo(PkiBodyType.Error).Or.EqualTo(PkiBodyType.Ip), $"seed {seed}, round {i}");
            Assert.That(response.Failure, Is.Not.EqualTo(PkiFailureInfo.SystemFailure), $"seed {seed}, round {i}");
        }
    }
}
