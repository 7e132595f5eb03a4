using System.Diagnostics;
using AmiPki.Core.Crl;

namespace AmiPki.Storage.Tests.Contract;

/// <summary>Migration 0009 (published_crls): published CRLs stored once, the newest served to every node, old ones pruned.</summary>
public abstract partial class StorageContractTests
{
    private static PublishedCrl Crl(long number, long? deltaBase = null, string issuer = Issuer, int entries = 3) =>
        new(issuer, number, deltaBase, T0.AddMinutes(number), T0.AddMinutes(number).AddHours(24),
            System.Text.Encoding.ASCII.GetBytes($"DER of CRL {issuer} #{number} base {deltaBase}"), entries);

    private static void AssertSame(PublishedCrl? actual, PublishedCrl expected)
    {
        Assert.That(actual, Is.Not.Null, $"CRL #{expected.Number} found");
        Assert.That(Convert.ToHexString(actual!.Der), Is.EqualTo(Convert.ToHexString(expected.Der)), "DER");
        Assert.That(actual with { Der = expected.Der }, Is.EqualTo(expected with { }), "every field");
        Assert.That(actual.ETag, Is.EqualTo(expected.ETag));
    }

    [Test]
    public async Task A_published_crl_is_stored_once_and_the_newest_of_each_kind_is_found_with_every_field()
    {
        Assert.That(await Storage.Crls.LatestNumberAsync(Issuer, delta: false, CancellationToken.None), Is.Null, "none yet");
        Assert.That(await Storage.Crls.FindLatestAsync(Issuer, delta: true, CancellationToken.None), Is.Null);

        var full5 = Crl(5, entries: 0);
        var delta6 = Crl(6, deltaBase: 5);
        var full9 = Crl(9);
        Assert.That(await Storage.Crls.SaveAsync(full5, CancellationToken.None), Is.True);
        Assert.That(await Storage.Crls.SaveAsync(delta6, CancellationToken.None), Is.True);
        Assert.That(await Storage.Crls.SaveAsync(full9, CancellationToken.None), Is.True);
        Assert.That(await Storage.Crls.SaveAsync(full9 with { Der = [1] }, CancellationToken.None), Is.False, "the same issuer, kind and number again");
        Assert.That(await Storage.Crls.SaveAsync(Crl(7, issuer: "issuing-s1"), CancellationToken.None), Is.True, "another issuer");

        Assert.That(await Storage.Crls.LatestNumberAsync(Issuer, delta: false, CancellationToken.None), Is.EqualTo(9));
        Assert.That(await Storage.Crls.LatestNumberAsync(Issuer, delta: true, CancellationToken.None), Is.EqualTo(6));
        Assert.That(await Storage.Crls.LatestNumberAsync("issuing-s1", delta: true, CancellationToken.None), Is.Null, "kinds are apart");
        AssertSame(await Storage.Crls.FindLatestAsync(Issuer, delta: false, CancellationToken.None), full9);
        AssertSame(await Storage.Crls.FindLatestAsync(Issuer, delta: true, CancellationToken.None), delta6);
        AssertSame(await Storage.Crls.FindLatestAsync("issuing-s1", delta: false, CancellationToken.None), Crl(7, issuer: "issuing-s1"));
        Assert.That(await Storage.Crls.FindLatestAsync("ISSUING-P256", delta: false, CancellationToken.None), Is.Null, "issuers compare exactly");

        Assert.ThrowsAsync<ArgumentException>(() => Storage.Crls.SaveAsync(Crl(10) with { Der = [] }, CancellationToken.None));
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Storage.Crls.SaveAsync(Crl(0), CancellationToken.None));
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Storage.Crls.PruneAsync(Issuer, false, 0, CancellationToken.None));
    }

    [Test]
    public async Task A_crl_stored_by_one_node_is_the_newest_for_another_and_survives_a_reopen()
    {
        await using (var other = await Factory.OpenAsync("node-b", TimeProvider.System))
        {
            await Storage.Crls.SaveAsync(Crl(5), CancellationToken.None);
            Assert.That(await other.Crls.LatestNumberAsync(Issuer, false, CancellationToken.None), Is.EqualTo(5));
            await other.Crls.SaveAsync(Crl(9), CancellationToken.None);
            Assert.That(await Storage.Crls.LatestNumberAsync(Issuer, false, CancellationToken.None), Is.EqualTo(9), "node A sees node B's CRL");
            AssertSame(await Storage.Crls.FindLatestAsync(Issuer, false, CancellationToken.None), Crl(9));
        }
        await ReopenAsync();
        AssertSame(await Storage.Crls.FindLatestAsync(Issuer, false, CancellationToken.None), Crl(9));
    }

    [Test]
    public async Task Pruning_keeps_the_newest_few_of_one_issuer_and_kind()
    {
        for (var n = 1; n <= 15; n++)
        {
            await Storage.Crls.SaveAsync(Crl(n), CancellationToken.None);
            await Storage.Crls.SaveAsync(Crl(100 + n, deltaBase: n), CancellationToken.None);
            await Storage.Crls.SaveAsync(Crl(n, issuer: "issuing-s1"), CancellationToken.None);
        }
        Assert.That(await Storage.Crls.PruneAsync(Issuer, delta: false, 10, CancellationToken.None), Is.EqualTo(5));
        Assert.That(await Storage.Crls.PruneAsync(Issuer, delta: false, 10, CancellationToken.None), Is.EqualTo(0), "nothing more to prune");
        Assert.That(await Storage.Crls.PruneAsync(Issuer, delta: true, 3, CancellationToken.None), Is.EqualTo(12));
        AssertSame(await Storage.Crls.FindLatestAsync(Issuer, false, CancellationToken.None), Crl(15));
        AssertSame(await Storage.Crls.FindLatestAsync(Issuer, true, CancellationToken.None), Crl(115, deltaBase: 15));
        Assert.That(await Storage.Crls.PruneAsync("issuing-s1", delta: false, 15, CancellationToken.None), Is.EqualTo(0), "the other issuer untouched");
        Assert.That(await Storage.Crls.PruneAsync("nobody", delta: false, 1, CancellationToken.None), Is.EqualTo(0));
        // What is left: prune to 1 removes exactly the rest.
        Assert.That(await Storage.Crls.PruneAsync(Issuer, delta: false, 1, CancellationToken.None), Is.EqualTo(9));
        Assert.That(await Storage.Crls.PruneAsync(Issuer, delta: true, 1, CancellationToken.None), Is.EqualTo(2));
    }

    /// <summary>The per-request "is there a newer CRL" check: how long one newest-number lookup takes (printed; bounded loosely).</summary>
    [Test]
    public async Task The_newest_number_lookup_is_cheap_enough_to_make_on_every_request()
    {
        for (var n = 1; n <= 10; n++)
        {
            await Storage.Crls.SaveAsync(Crl(n), CancellationToken.None);
        }
        for (var i = 0; i < 200; i++)
        {
            await Storage.Crls.LatestNumberAsync(Issuer, false, CancellationToken.None);
        }
        const int Lookups = 2000;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < Lookups; i++)
        {
            await Storage.Crls.LatestNumberAsync(Issuer, false, CancellationToken.None);
        }
        watch.Stop();
        var micros = watch.Elapsed.TotalMicroseconds / Lookups;
        TestContext.Out.WriteLine($"{Storage.Dialect}: newest CRL number lookup {micros:F1} µs each ({Lookups} lookups)");
        Assert.That(micros, Is.LessThan(5000), "a lookup per CRL request");
    }
}
