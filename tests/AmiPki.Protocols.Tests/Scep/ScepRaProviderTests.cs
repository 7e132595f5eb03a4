using AmiPki.Core.Issuance;
using AmiPki.Core.Profiles;
using AmiPki.Protocols.Scep;
using AmiPki.Protocols.Tests.Scep.Support;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace AmiPki.Protocols.Tests.Scep;

/// <summary>The RA (RFC 8894 §2.1): issued once, kept in DATA/scep/ across restarts, replaced before it expires.</summary>
public sealed class ScepRaProviderTests
{
    private ScepTestHost _host = null!;

    [OneTimeSetUp]
    public async Task Start() => _host = await ScepTestHost.StartAsync();

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    private ScepRaProvider Provider(ManualTime time, string directory)
    {
        var profiles = ProfileLoader.LoadDirectory(Path.Combine(ScepTestHost.RepositoryRoot(), "profiles"));
        var issuance = new IssuanceService(_host.Authorities, profiles, _host.Storage.Issuance, _host.Storage.Audit, time);
        return new ScepRaProvider(issuance, _host.Authorities, new ScepOptions { DataDirectory = directory }, time, NullLogger<ScepRaProvider>.Instance);
    }

    [Test]
    public async Task The_ra_is_reloaded_after_a_restart_and_renewed_within_the_renewal_window()
    {
        var directory = Path.Combine(_host.Directory, "ra-" + Guid.NewGuid().ToString("N")[..8]);
        var time = new ManualTime(DateTimeOffset.UtcNow);
        using var first = Provider(time, directory);
        var ra = await first.GetAsync(CancellationToken.None);
        Assert.That(await first.GetAsync(CancellationToken.None), Is.SameAs(ra));

        using var restarted = Provider(time, directory);
        var reloaded = await restarted.GetAsync(CancellationToken.None);
        Assert.That(reloaded.Certificate.RawData, Is.EqualTo(ra.Certificate.RawData), "kept across restarts");
        Assert.That(reloaded.Key.ExportSubjectPublicKeyInfo(), Is.EqualTo(ra.Key.ExportSubjectPublicKeyInfo()));

        time.Now = ra.NotAfter.AddDays(-29);
        var renewed = await restarted.GetAsync(CancellationToken.None);
        Assert.That(renewed.Certificate.SerialNumber, Is.Not.EqualTo(ra.Certificate.SerialNumber));
        Assert.That(renewed.NotAfter, Is.GreaterThan(ra.NotAfter));
        Assert.That(renewed.Key.ExportSubjectPublicKeyInfo(), Is.Not.EqualTo(ra.Key.ExportSubjectPublicKeyInfo()), "a fresh key");
        using var afterRenewal = Provider(time, directory);
        Assert.That((await afterRenewal.GetAsync(CancellationToken.None)).Certificate.RawData, Is.EqualTo(renewed.Certificate.RawData));
    }

    [Test]
    public async Task Unreadable_ra_files_are_replaced()
    {
        var directory = Path.Combine(_host.Directory, "ra-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(directory, "scep"));
        await File.WriteAllTextAsync(Path.Combine(directory, "scep", "ra-key.pem"), "not a key");
        await File.WriteAllTextAsync(Path.Combine(directory, "scep", "ra-cert.pem"), "not a certificate");
        using var provider = Provider(new ManualTime(DateTimeOffset.UtcNow), directory);
        var ra = await provider.GetAsync(CancellationToken.None);
        Assert.That(ra.Certificate.Subject, Does.Contain("SCEP RA"));
    }
}
