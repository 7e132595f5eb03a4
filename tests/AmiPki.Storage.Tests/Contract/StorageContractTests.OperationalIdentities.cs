using AmiPki.Core.Operations;

namespace AmiPki.Storage.Tests.Contract;

/// <summary>Migration 0007: operational identities, stored once, replaced by compare-and-set (one of racing nodes wins), durable.</summary>
public abstract partial class StorageContractTests
{
    private static OperationalIdentity Identity(string name, byte marker, DateTimeOffset? notAfter = null) =>
        new(name, [0x30, marker, 1], [0x30, marker, 2], notAfter ?? T0.AddDays(365), T0, 1);

    /// <summary>Every field, the blobs by content (a record compares arrays by reference).</summary>
    private static void AssertSame(OperationalIdentity? actual, OperationalIdentity expected, long version)
    {
        Assert.That(actual, Is.Not.Null, $"{expected.Name} found");
        Assert.That(actual!.EncryptedKey, Is.EqualTo(expected.EncryptedKey), "encrypted key");
        Assert.That(actual.CertificateDer, Is.EqualTo(expected.CertificateDer), "certificate");
        Assert.That(actual.PreviousEncryptedKey, Is.EqualTo(expected.PreviousEncryptedKey), "previous key");
        Assert.That(actual.PreviousCertificateDer, Is.EqualTo(expected.PreviousCertificateDer), "previous certificate");
        Assert.That((actual.Name, actual.NotAfter, actual.UpdatedAt, actual.PreviousNotAfter, actual.Version),
            Is.EqualTo((expected.Name, expected.NotAfter, expected.UpdatedAt, expected.PreviousNotAfter, version)));
    }

    [Test]
    public async Task An_identity_is_stored_once_and_found_with_every_field()
    {
        var responder = Identity("cmp-responder", 1, T0.AddDays(30).AddTicks(1)) with { UpdatedAt = T0.AddTicks(3) };
        Assert.That(await Storage.OperationalIdentities.FindAsync("cmp-responder", CancellationToken.None), Is.Null);
        Assert.That(await Storage.OperationalIdentities.TryPutAsync(responder, 0, CancellationToken.None), Is.True);
        Assert.That(await Storage.OperationalIdentities.TryPutAsync(Identity("cmp-responder", 9), 0, CancellationToken.None), Is.False,
            "one is stored already");
        AssertSame(await Storage.OperationalIdentities.FindAsync("cmp-responder", CancellationToken.None), responder, 1);
        Assert.That(await Storage.OperationalIdentities.FindAsync("CMP-RESPONDER", CancellationToken.None), Is.Null, "names compare exactly");
        Assert.That(await Storage.OperationalIdentities.TryPutAsync(Identity("scep-ra", 2), 0, CancellationToken.None), Is.True, "another name");
    }

    [Test]
    public async Task An_identity_replaced_at_the_stored_version_keeps_the_previous_and_a_stale_one_changes_nothing()
    {
        var first = Identity("scep-ra", 1);
        await Storage.OperationalIdentities.TryPutAsync(first, 0, CancellationToken.None);
        var renewed = Identity("scep-ra", 2, T0.AddDays(700)) with
        {
            UpdatedAt = T0.AddDays(335),
            PreviousEncryptedKey = first.EncryptedKey,
            PreviousCertificateDer = first.CertificateDer,
            PreviousNotAfter = first.NotAfter,
        };
        Assert.That(await Storage.OperationalIdentities.TryPutAsync(renewed, 1, CancellationToken.None), Is.True);
        AssertSame(await Storage.OperationalIdentities.FindAsync("scep-ra", CancellationToken.None), renewed, 2);

        var stale = Identity("scep-ra", 3);
        Assert.That(await Storage.OperationalIdentities.TryPutAsync(stale, 1, CancellationToken.None), Is.False, "version 1 is gone");
        Assert.That(await Storage.OperationalIdentities.TryPutAsync(stale, 3, CancellationToken.None), Is.False, "version 3 is not there yet");
        Assert.That(await Storage.OperationalIdentities.TryPutAsync(stale, 0, CancellationToken.None), Is.False, "not new");
        AssertSame(await Storage.OperationalIdentities.FindAsync("scep-ra", CancellationToken.None), renewed, 2);

        Assert.That(await Storage.OperationalIdentities.TryPutAsync(stale, 2, CancellationToken.None), Is.True, "previous cleared too");
        AssertSame(await Storage.OperationalIdentities.FindAsync("scep-ra", CancellationToken.None), stale, 3);
        Assert.That(await Storage.OperationalIdentities.TryPutAsync(Identity("never-stored", 4), 1, CancellationToken.None), Is.False);
        Assert.That(await Storage.OperationalIdentities.FindAsync("never-stored", CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task An_identity_without_key_or_certificate_or_with_half_a_previous_is_refused()
    {
        Assert.ThrowsAsync<ArgumentException>(() => Storage.OperationalIdentities.TryPutAsync(Identity("x", 1) with { EncryptedKey = [] }, 0, CancellationToken.None));
        Assert.ThrowsAsync<ArgumentException>(() => Storage.OperationalIdentities.TryPutAsync(Identity("x", 1) with { CertificateDer = [] }, 0, CancellationToken.None));
        Assert.ThrowsAsync<ArgumentException>(() => Storage.OperationalIdentities.TryPutAsync(Identity("x", 1) with { PreviousEncryptedKey = [1] }, 0,
            CancellationToken.None));
        Assert.ThrowsAsync<ArgumentException>(() => Storage.OperationalIdentities.TryPutAsync(Identity("x", 1) with { CertificateDer = new byte[(1 << 16) + 1] }, 0,
            CancellationToken.None));
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Storage.OperationalIdentities.TryPutAsync(Identity("x", 1), -1, CancellationToken.None));
        Assert.That(await Storage.OperationalIdentities.FindAsync("x", CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task Of_nodes_storing_one_identity_at_once_exactly_one_wins_and_exactly_one_replaces_it()
    {
        await using var other = await Factory.OpenAsync("node-b", TimeProvider.System);
        var nodes = new[] { Storage, other };
        var puts = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
            nodes[i % 2].OperationalIdentities.TryPutAsync(Identity("cmp-responder", (byte)i), 0, CancellationToken.None))));
        Assert.That(puts.Count(p => p), Is.EqualTo(1), "one first store wins");
        var winner = Array.IndexOf(puts, true);
        foreach (var node in nodes)
        {
            AssertSame(await node.OperationalIdentities.FindAsync("cmp-responder", CancellationToken.None), Identity("cmp-responder", (byte)winner), 1);
        }

        var renewals = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
            nodes[i % 2].OperationalIdentities.TryPutAsync(Identity("cmp-responder", (byte)(100 + i)), 1, CancellationToken.None))));
        Assert.That(renewals.Count(r => r), Is.EqualTo(1), "one replacement at version 1 wins");
        var renewer = Array.IndexOf(renewals, true);
        foreach (var node in nodes)
        {
            AssertSame(await node.OperationalIdentities.FindAsync("cmp-responder", CancellationToken.None), Identity("cmp-responder", (byte)(100 + renewer)), 2);
        }
    }

    [Test]
    public async Task Identities_are_kept_across_a_reopen()
    {
        var first = Identity("ocsp-responder/issuing", 1);
        await Storage.OperationalIdentities.TryPutAsync(first, 0, CancellationToken.None);
        var renewed = Identity("ocsp-responder/issuing", 2) with { PreviousEncryptedKey = [7], PreviousCertificateDer = [8], PreviousNotAfter = T0.AddDays(1) };
        await Storage.OperationalIdentities.TryPutAsync(renewed, 1, CancellationToken.None);
        await ReopenAsync();
        AssertSame(await Storage.OperationalIdentities.FindAsync("ocsp-responder/issuing", CancellationToken.None), renewed, 2);
        Assert.That(await Storage.OperationalIdentities.TryPutAsync(first, 2, CancellationToken.None), Is.True, "the version survived too");
    }
}
