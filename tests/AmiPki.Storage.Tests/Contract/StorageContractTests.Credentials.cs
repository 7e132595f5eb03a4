using AmiPki.Core.Credentials;

namespace AmiPki.Storage.Tests.Contract;

public abstract partial class StorageContractTests
{
    private static EnrollmentCredential Credential(string name, bool oneTime = true, DateTimeOffset? expiresAt = null, string kind = "cmp-reference") =>
        new(kind, name, "pbkdf2-sha256$1$c2FsdA==$aGFzaA==", ["dcu", "hes-client"], "CN=dcu-7", expiresAt, oneTime, null, T0);

    [Test]
    public async Task A_credential_round_trips()
    {
        var credential = Credential("ref-1", expiresAt: T0.AddDays(7));
        await Storage.Credentials.AddAsync(credential, CancellationToken.None);

        var found = await Storage.Credentials.FindAsync("cmp-reference", "ref-1", CancellationToken.None);

        Assert.That(found, Is.Not.Null);
        Assert.That(found! with { Profiles = [] }, Is.EqualTo(credential with { Profiles = [] }));
        Assert.That(found.Profiles, Is.EqualTo(credential.Profiles));
        Assert.That(await Storage.Credentials.FindAsync("est-account", "ref-1", CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task Adding_a_credential_twice_fails()
    {
        await Storage.Credentials.AddAsync(Credential("ref-1"), CancellationToken.None);

        Assert.ThrowsAsync<InvalidOperationException>(() => Storage.Credentials.AddAsync(Credential("ref-1"), CancellationToken.None));
    }

    [Test]
    public async Task A_one_time_credential_is_consumed_by_exactly_one_of_racing_uses()
    {
        for (var round = 0; round < 20; round++)
        {
            var name = $"ref-{round}";
            await Storage.Credentials.AddAsync(Credential(name), CancellationToken.None);

            var uses = await Task.WhenAll(Enumerable.Range(0, 2 + round % 5).Select(_ =>
                Task.Run(() => Storage.Credentials.TryConsumeAsync("cmp-reference", name, T0.AddHours(1), CancellationToken.None))));

            Assert.That(uses.Count(used => used), Is.EqualTo(1), $"round {round}");
            Assert.That((await Storage.Credentials.FindAsync("cmp-reference", name, CancellationToken.None))!.UsedAt, Is.EqualTo(T0.AddHours(1)));
        }
    }

    [Test]
    public async Task Consuming_fails_for_unknown_or_expired_credentials_and_repeats_for_reusable_ones()
    {
        await Storage.Credentials.AddAsync(Credential("expiring", expiresAt: T0.AddDays(1)), CancellationToken.None);
        await Storage.Credentials.AddAsync(Credential("account", oneTime: false, kind: "est-account"), CancellationToken.None);

        Assert.That(await Storage.Credentials.TryConsumeAsync("cmp-reference", "unknown", T0, CancellationToken.None), Is.False);
        Assert.That(await Storage.Credentials.TryConsumeAsync("cmp-reference", "expiring", T0.AddDays(1), CancellationToken.None), Is.False);
        Assert.That(await Storage.Credentials.TryConsumeAsync("est-account", "account", T0, CancellationToken.None), Is.True);
        Assert.That(await Storage.Credentials.TryConsumeAsync("est-account", "account", T0.AddMinutes(1), CancellationToken.None), Is.True);
        Assert.That(await Storage.Credentials.TryConsumeAsync("cmp-reference", "expiring", T0, CancellationToken.None), Is.True);
    }

    [Test]
    public async Task Credentials_are_listed_by_kind()
    {
        await Storage.Credentials.AddAsync(Credential("b"), CancellationToken.None);
        await Storage.Credentials.AddAsync(Credential("a"), CancellationToken.None);
        await Storage.Credentials.AddAsync(Credential("c", kind: "scep-challenge"), CancellationToken.None);

        Assert.That((await Storage.Credentials.ListAsync(null, CancellationToken.None)).Select(c => c.Name), Is.EqualTo(new[] { "a", "b", "c" }));
        Assert.That((await Storage.Credentials.ListAsync("cmp-reference", CancellationToken.None)).Select(c => c.Name), Is.EqualTo(new[] { "a", "b" }));
    }

    [Test]
    public async Task A_deleted_credential_is_gone_and_deleting_it_again_reports_false()
    {
        await Storage.Credentials.AddAsync(Credential("gone"), CancellationToken.None);
        await Storage.Credentials.AddAsync(Credential("gone", kind: "scep-challenge"), CancellationToken.None);

        Assert.That(await Storage.Credentials.DeleteAsync("cmp-reference", "gone", CancellationToken.None), Is.True);
        Assert.That(await Storage.Credentials.DeleteAsync("cmp-reference", "gone", CancellationToken.None), Is.False);

        Assert.That(await Storage.Credentials.FindAsync("cmp-reference", "gone", CancellationToken.None), Is.Null);
        Assert.That(await Storage.Credentials.TryConsumeAsync("cmp-reference", "gone", T0, CancellationToken.None), Is.False);
        Assert.That(await Storage.Credentials.FindAsync("scep-challenge", "gone", CancellationToken.None), Is.Not.Null, "only the named kind is deleted");
    }
}
