using AmiPki.Core.Operations;
using AmiPki.Protocols.Cmp;
using AmiPki.Protocols.Ocsp;
using AmiPki.Protocols.Tests.Ocsp;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace AmiPki.Protocols.Tests.Operations;

/// <summary>
/// The CMP responder and the delegated OCSP responders kept in storage (operational identities): the same across a
/// restart and across nodes on one storage, issued once however many start at once, renewed only by the job.
/// </summary>
public sealed class OperationalIdentityTests
{
    private const string Passphrase = "operational-identity-test-passphrase";
    private ManualClock _clock = null!;
    private RevocationTestBed _bed = null!;

    [SetUp]
    public async Task Start()
    {
        _clock = new ManualClock(DateTimeOffset.UtcNow);
        _bed = await RevocationTestBed.CreateAsync(_clock);
    }

    [TearDown]
    public async Task Stop() => await _bed.DisposeAsync();

    private CmpResponderProvider Cmp(string passphrase = Passphrase) => new(_bed.Issuance, _bed.Authorities, new CmpOptions(), _clock, NullLogger.Instance,
        _bed.Storage.OperationalIdentities, new OperationalKeyProtector(passphrase), TimeSpan.FromSeconds(30));

    [Test]
    public async Task The_cmp_responder_is_the_same_after_a_restart_and_on_another_node()
    {
        using var first = Cmp();
        var responder = await first.GetAsync(CancellationToken.None);
        Assert.That(responder.Chain[0], Is.Not.EqualTo(_bed.Authorities.All.First().Der), "a delegated responder");
        using var restarted = Cmp();
        Assert.That((await restarted.GetAsync(CancellationToken.None)).Chain[0], Is.EqualTo(responder.Chain[0]));
        var stored = await _bed.Storage.OperationalIdentities.FindAsync(CmpResponderProvider.IdentityName, CancellationToken.None);
        Assert.That(stored!.CertificateDer, Is.EqualTo(responder.Chain[0]));
        Assert.That(stored.Version, Is.EqualTo(1));
    }

    [Test]
    public async Task Cmp_responders_starting_at_once_store_one_identity_and_all_adopt_it()
    {
        var providers = Enumerable.Range(0, 4).Select(_ => Cmp()).ToList();
        try
        {
            var responders = await Task.WhenAll(providers.Select(p => Task.Run(async () => await p.GetAsync(CancellationToken.None))));
            Assert.That(responders.Select(r => Convert.ToHexString(r.Chain[0])).Distinct().Count(), Is.EqualTo(1));
        }
        finally
        {
            providers.ForEach(p => p.Dispose());
        }
    }

    [Test]
    public async Task The_cmp_responder_is_renewed_only_by_the_job_in_its_renewal_window_and_other_nodes_pick_it_up()
    {
        using var a = Cmp();
        using var b = Cmp();
        var responder = await a.GetAsync(CancellationToken.None);
        Assert.That((await b.GetAsync(CancellationToken.None)).Chain[0], Is.EqualTo(responder.Chain[0]));
        Assert.That(await a.RenewIfDueAsync(CancellationToken.None), Is.False, "30 days left, window 10");

        _clock.Advance(responder.NotAfter - _clock.GetUtcNow() - TimeSpan.FromDays(9));
        Assert.That((await a.GetAsync(CancellationToken.None)).Chain[0], Is.EqualTo(responder.Chain[0]), "requests do not renew it");
        Assert.That(await a.RenewIfDueAsync(CancellationToken.None), Is.True);
        var renewed = await a.GetAsync(CancellationToken.None);
        Assert.That(renewed.Chain[0], Is.Not.EqualTo(responder.Chain[0]));
        Assert.That(await b.RenewIfDueAsync(CancellationToken.None), Is.False, "the other node re-reads it instead of renewing again");
        Assert.That((await b.GetAsync(CancellationToken.None)).Chain[0], Is.EqualTo(renewed.Chain[0]));
        var stored = await _bed.Storage.OperationalIdentities.FindAsync(CmpResponderProvider.IdentityName, CancellationToken.None);
        Assert.That(stored!.Version, Is.EqualTo(2));
        Assert.That(stored.PreviousCertificateDer, Is.EqualTo(responder.Chain[0]), "the replaced certificate kept for the overlap");
    }

    [Test]
    public async Task An_expired_cmp_responder_is_replaced_on_use()
    {
        using var provider = Cmp();
        var responder = await provider.GetAsync(CancellationToken.None);
        _clock.Advance(responder.NotAfter - _clock.GetUtcNow() + TimeSpan.FromMinutes(1));
        using var restarted = Cmp();
        var replaced = await restarted.GetAsync(CancellationToken.None);
        Assert.That(replaced.NotAfter, Is.GreaterThan(_clock.GetUtcNow()));
        Assert.That(replaced.Chain[0], Is.Not.EqualTo(responder.Chain[0]));
    }

    [Test]
    public async Task The_ocsp_responder_is_the_same_after_a_restart_and_renewed_once_for_all_nodes()
    {
        var options = new OcspResponderOptions();
        var issuer = new OcspIssuer(0, _bed.Authorities.Find("issuing-s1")!);
        DelegatedResponderIssuer Node() => new(_bed.Issuance, options, NullLogger.Instance, _bed.Storage.OperationalIdentities,
            new OperationalKeyProtector(Passphrase), _clock, TimeSpan.FromSeconds(30));
        using var a = Node();
        using var b = Node();
        var signer = await a.CreateAsync(issuer, CancellationToken.None);
        Assert.That(signer.IsDelegated, Is.True);
        Assert.That((await b.CreateAsync(issuer, CancellationToken.None)).CertificateDer, Is.EqualTo(signer.CertificateDer), "another node, the same responder");
        using var restarted = Node();
        Assert.That((await restarted.CreateAsync(issuer, CancellationToken.None)).CertificateDer, Is.EqualTo(signer.CertificateDer), "after a restart");

        _clock.Advance(TimeSpan.FromDays(25));
        bool Due(OcspSigner s) => s.NotAfter - _clock.GetUtcNow() < (s.NotAfter - s.NotBefore) * options.RenewAtRemainingFraction;
        Assert.That(await a.RenewIfDueAsync(issuer, Due, CancellationToken.None), Is.True);
        Assert.That(await b.RenewIfDueAsync(issuer, Due, CancellationToken.None), Is.False, "renewed already");
        var renewed = await a.CurrentAsync(issuer, CancellationToken.None);
        Assert.That(renewed.CertificateDer, Is.Not.EqualTo(signer.CertificateDer));
        Assert.That((await b.CurrentAsync(issuer, CancellationToken.None)).CertificateDer, Is.EqualTo(renewed.CertificateDer));
        Assert.That((await _bed.Storage.OperationalIdentities.FindAsync(DelegatedResponderIssuer.IdentityPrefix + "issuing-s1", CancellationToken.None))!.Version,
            Is.EqualTo(2));
    }
}
