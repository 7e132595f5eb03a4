using AmiPki.Core.Issuance;
using AmiPki.Core.Operations;
using AmiPki.Core.Profiles;
using AmiPki.Protocols.Scep;
using AmiPki.Protocols.Tests.Scep.Support;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace AmiPki.Protocols.Tests.Scep;

/// <summary>
/// The RA (RFC 8894 §2.1): issued once and kept in storage (operational identity <c>scep-ra</c>, key encrypted under the
/// key passphrase), so restarts and other nodes present the same RA; renewed only by the job, keeping the previous.
/// </summary>
public sealed class ScepRaProviderTests
{
    private ScepTestHost _host = null!;

    [OneTimeSetUp]
    public async Task Start() => _host = await ScepTestHost.StartAsync();

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    private ScepRaProvider Provider(ManualTime time, IOperationalIdentityStore store, string passphrase = ScepTestHost.Passphrase)
    {
        var profiles = ProfileLoader.LoadDirectory(Path.Combine(ScepTestHost.RepositoryRoot(), "profiles"));
        var issuance = new IssuanceService(_host.Authorities, profiles, _host.Storage.Issuance, _host.Storage.Audit, time);
        return new ScepRaProvider(issuance, _host.Authorities, new ScepOptions(), time, NullLogger<ScepRaProvider>.Instance, store,
            new OperationalKeyProtector(passphrase), TimeSpan.FromSeconds(30));
    }

    [Test]
    public async Task The_ra_is_reloaded_after_a_restart_and_renewed_by_the_job_within_the_renewal_window()
    {
        var store = new NamedStore(_host.Storage.OperationalIdentities);
        var time = new ManualTime(DateTimeOffset.UtcNow);
        using var first = Provider(time, store);
        var ra = await first.GetAsync(CancellationToken.None);
        Assert.That(await first.GetAsync(CancellationToken.None), Is.SameAs(ra));
        Assert.That(await first.RenewIfDueAsync(CancellationToken.None), Is.False, "not due yet");

        using var restarted = Provider(time, store);
        var reloaded = await restarted.GetAsync(CancellationToken.None);
        Assert.That(reloaded.Certificate.RawData, Is.EqualTo(ra.Certificate.RawData), "kept across restarts");
        Assert.That(reloaded.Key.ExportSubjectPublicKeyInfo(), Is.EqualTo(ra.Key.ExportSubjectPublicKeyInfo()));

        time.Now = ra.NotAfter.AddDays(-29);
        Assert.That(await restarted.GetAsync(CancellationToken.None), Is.SameAs(reloaded), "requests do not renew it; the job does");
        Assert.That(await restarted.RenewIfDueAsync(CancellationToken.None), Is.True);
        var renewed = await restarted.GetAsync(CancellationToken.None);
        Assert.That(renewed.Certificate.SerialNumber, Is.Not.EqualTo(ra.Certificate.SerialNumber));
        Assert.That(renewed.NotAfter, Is.GreaterThan(ra.NotAfter));
        Assert.That(renewed.Key.ExportSubjectPublicKeyInfo(), Is.Not.EqualTo(ra.Key.ExportSubjectPublicKeyInfo()), "a fresh key");
        Assert.That(renewed.Previous?.Certificate.RawData, Is.EqualTo(ra.Certificate.RawData), "the previous RA stays for the overlap");
        Assert.That(renewed.Previous!.Key.ExportSubjectPublicKeyInfo(), Is.EqualTo(ra.Key.ExportSubjectPublicKeyInfo()));

        // The first node cached the old RA: it picks up the renewed one once its refresh interval has passed.
        Assert.That(await first.RenewIfDueAsync(CancellationToken.None), Is.False, "renewed already by the other node");
        Assert.That((await first.GetAsync(CancellationToken.None)).Certificate.RawData, Is.EqualTo(renewed.Certificate.RawData));
        using var afterRenewal = Provider(time, store);
        var loaded = await afterRenewal.GetAsync(CancellationToken.None);
        Assert.That(loaded.Certificate.RawData, Is.EqualTo(renewed.Certificate.RawData));
        Assert.That(loaded.Previous?.Certificate.RawData, Is.EqualTo(ra.Certificate.RawData));
    }

    [Test]
    public async Task A_request_encrypted_to_the_previous_ra_is_still_opened_during_the_overlap()
    {
        var store = new NamedStore(_host.Storage.OperationalIdentities);
        var time = new ManualTime(DateTimeOffset.UtcNow);
        using var provider = Provider(time, store);
        var old = await provider.GetAsync(CancellationToken.None);
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var signer = ScepTestClient.SelfSigned(key);
        var message = ScepTestClient.Build(19, ScepTestClient.Csr("CN=overlap", key, ScepTestHost.StaticChallenge), signer, key, old.Certificate, "txn-overlap",
            System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var envelope = ScepMessageDecoder.Decode(message).Envelope;

        time.Now = old.NotAfter.AddDays(-29);
        Assert.That(await provider.RenewIfDueAsync(CancellationToken.None), Is.True);
        var renewed = await provider.GetAsync(CancellationToken.None);
        Assert.Throws<ScepFailure>(() => ScepEnvelope.Open(envelope, renewed.Certificate, renewed.Key, new ScepOptions()), "not to the new RA");
        var chosen = renewed.For(envelope, time.GetUtcNow());
        Assert.That(chosen.Certificate.RawData, Is.EqualTo(old.Certificate.RawData), "the previous RA answers it");
        Assert.That(ScepEnvelope.Open(envelope, chosen.Certificate, chosen.Key, new ScepOptions()), Is.Not.Empty);

        time.Now = old.NotAfter.AddMinutes(1);
        Assert.That(renewed.For(envelope, time.GetUtcNow()), Is.SameAs(renewed), "not after the previous certificate expired");
    }

    [Test]
    public async Task A_node_that_cached_the_ra_picks_up_a_renewal_after_its_refresh_interval()
    {
        var store = new NamedStore(_host.Storage.OperationalIdentities);
        var time = new ManualTime(DateTimeOffset.UtcNow);
        using var a = Provider(time, store);
        using var b = Provider(time, store);
        var ra = await a.GetAsync(CancellationToken.None);
        Assert.That((await b.GetAsync(CancellationToken.None)).Certificate.RawData, Is.EqualTo(ra.Certificate.RawData));
        time.Now = ra.NotAfter.AddDays(-29);
        Assert.That(await a.RenewIfDueAsync(CancellationToken.None), Is.True);
        var renewed = await a.GetAsync(CancellationToken.None);
        time.Now = time.Now.AddSeconds(31);
        Assert.That((await b.GetAsync(CancellationToken.None)).Certificate.RawData, Is.EqualTo(renewed.Certificate.RawData));
    }

    [Test]
    public async Task Nodes_starting_at_once_agree_on_one_ra()
    {
        var store = new NamedStore(_host.Storage.OperationalIdentities);
        var time = new ManualTime(DateTimeOffset.UtcNow);
        var providers = Enumerable.Range(0, 4).Select(_ => Provider(time, store)).ToList();
        try
        {
            var ras = await Task.WhenAll(providers.Select(p => Task.Run(async () => await p.GetAsync(CancellationToken.None))));
            Assert.That(ras.Select(r => r.Certificate.Thumbprint).Distinct().Count(), Is.EqualTo(1));
            var stored = await store.FindAsync(ScepRaProvider.IdentityName, CancellationToken.None);
            Assert.That(stored!.CertificateDer, Is.EqualTo(ras[0].Certificate.RawData));
            Assert.That(stored.Version, Is.EqualTo(1));
        }
        finally
        {
            providers.ForEach(p => p.Dispose());
        }
    }

    [Test]
    public async Task A_stored_ra_this_passphrase_cannot_decrypt_is_replaced()
    {
        var store = new NamedStore(_host.Storage.OperationalIdentities);
        var time = new ManualTime(DateTimeOffset.UtcNow);
        using var other = Provider(time, store, "another-passphrase");
        var foreign = await other.GetAsync(CancellationToken.None);
        using var provider = Provider(time, store);
        var ra = await provider.GetAsync(CancellationToken.None);
        Assert.That(ra.Certificate.Subject, Does.Contain("SCEP RA"));
        Assert.That(ra.Certificate.RawData, Is.Not.EqualTo(foreign.Certificate.RawData));
        Assert.That((await store.FindAsync(ScepRaProvider.IdentityName, CancellationToken.None))!.Version, Is.EqualTo(2));
    }

    [Test]
    public async Task The_stored_key_is_an_encrypted_pkcs8_under_the_key_passphrase()
    {
        var store = new NamedStore(_host.Storage.OperationalIdentities);
        using var provider = Provider(new ManualTime(DateTimeOffset.UtcNow), store);
        var ra = await provider.GetAsync(CancellationToken.None);
        var stored = (await store.FindAsync(ScepRaProvider.IdentityName, CancellationToken.None))!;
        using var rsa = System.Security.Cryptography.RSA.Create();
        Assert.Throws<System.Security.Cryptography.CryptographicException>(() => rsa.ImportPkcs8PrivateKey(stored.EncryptedKey, out _), "not plain PKCS#8");
        var info = System.Security.Cryptography.Pkcs.Pkcs8PrivateKeyInfo.DecryptAndDecode(ScepTestHost.Passphrase.AsSpan(), stored.EncryptedKey, out _);
        Assert.That(info.AlgorithmId.Value, Is.EqualTo("1.2.840.113549.1.1.1"));
        rsa.ImportEncryptedPkcs8PrivateKey(ScepTestHost.Passphrase, stored.EncryptedKey, out _);
        Assert.That(rsa.ExportSubjectPublicKeyInfo(), Is.EqualTo(ra.Key.ExportSubjectPublicKeyInfo()));
    }

    /// <summary>Each test its own identity name on the shared test storage (the host's own RA keeps "scep-ra").</summary>
    private sealed class NamedStore(IOperationalIdentityStore inner) : IOperationalIdentityStore
    {
        private readonly string _prefix = Guid.NewGuid().ToString("N")[..8] + "/";

        public Task<OperationalIdentity?> FindAsync(string name, CancellationToken cancellationToken) =>
            inner.FindAsync(_prefix + name, cancellationToken).ContinueWith(t => t.Result is { } r ? r with { Name = name } : null, TaskScheduler.Default);

        public Task<bool> TryPutAsync(OperationalIdentity identity, long expectedVersion, CancellationToken cancellationToken) =>
            inner.TryPutAsync(identity with { Name = _prefix + identity.Name }, expectedVersion, cancellationToken);
    }
}
