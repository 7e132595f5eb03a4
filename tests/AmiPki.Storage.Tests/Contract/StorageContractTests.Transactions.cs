using AmiPki.Core.Transactions;

namespace AmiPki.Storage.Tests.Contract;

/// <summary>Migration 0006: protocol transactions, begun once, moved on by compare-and-set, swept when due, pruned, durable.</summary>
public abstract partial class StorageContractTests
{
    private const string Cmp = "cmp";

    private static ProtocolTransaction Transaction(string key, string state = "awaiting-confirmation", DateTimeOffset? dueAt = null,
        string protocol = Cmp, DateTimeOffset? updatedAt = null, byte[]? payload = null) =>
        new(protocol, key, state, payload ?? System.Text.Encoding.ASCII.GetBytes("payload of " + key), T0, updatedAt ?? T0, dueAt, 1);

    /// <summary>Every field, the payload by content (a record compares arrays by reference; hex keeps 1 MiB quick to compare).</summary>
    private static void AssertSame(ProtocolTransaction? actual, ProtocolTransaction expected)
    {
        Assert.That(actual, Is.Not.Null, $"{expected.Protocol}/{expected.Key} found");
        Assert.That(Convert.ToHexString(actual!.Payload), Is.EqualTo(Convert.ToHexString(expected.Payload)), "payload");
        Assert.That(actual with { Payload = expected.Payload }, Is.EqualTo(expected));
    }

    [Test]
    public async Task A_transaction_begins_once_and_is_found_with_every_field()
    {
        var withDeadline = Transaction("sender-a/0102", dueAt: T0.AddMinutes(5).AddTicks(1)) with { UpdatedAt = T0.AddTicks(3) };
        var withoutDeadline = Transaction("sender-a/0103", state: "polling", payload: []);
        Assert.That(await Storage.Transactions.TryBeginAsync(withDeadline, CancellationToken.None), Is.True);
        Assert.That(await Storage.Transactions.TryBeginAsync(withoutDeadline, CancellationToken.None), Is.True);
        Assert.That(await Storage.Transactions.TryBeginAsync(withDeadline with { State = "replayed", Payload = [9] }, CancellationToken.None),
            Is.False, "a replay of the same protocol and key");

        AssertSame(await Storage.Transactions.FindAsync(Cmp, withDeadline.Key, CancellationToken.None), withDeadline);
        AssertSame(await Storage.Transactions.FindAsync(Cmp, withoutDeadline.Key, CancellationToken.None), withoutDeadline);
        Assert.That(await Storage.Transactions.FindAsync("acme", withDeadline.Key, CancellationToken.None), Is.Null, "keys are per protocol");
        Assert.That(await Storage.Transactions.FindAsync(Cmp, "SENDER-A/0102", CancellationToken.None), Is.Null, "keys compare exactly");
        Assert.That(await Storage.Transactions.TryBeginAsync(withDeadline with { Protocol = "acme" }, CancellationToken.None), Is.True,
            "the same key under another protocol");
    }

    [Test]
    public async Task A_transaction_is_refused_above_1_MiB_of_payload_or_at_a_version_other_than_1()
    {
        var largest = Transaction("large", payload: new byte[1 << 20]);
        Assert.That(await Storage.Transactions.TryBeginAsync(largest, CancellationToken.None), Is.True, "1 MiB is allowed");
        AssertSame(await Storage.Transactions.FindAsync(Cmp, "large", CancellationToken.None), largest);

        Assert.ThrowsAsync<ArgumentException>(() => Storage.Transactions.TryBeginAsync(Transaction("too-large", payload: new byte[(1 << 20) + 1]),
            CancellationToken.None));
        Assert.ThrowsAsync<ArgumentException>(() => Storage.Transactions.TryUpdateAsync(largest with { Payload = new byte[(1 << 20) + 1] }, 1,
            CancellationToken.None));
        Assert.ThrowsAsync<ArgumentException>(() => Storage.Transactions.TryBeginAsync(Transaction("version-2") with { Version = 2 },
            CancellationToken.None));
        Assert.That(await Storage.Transactions.FindAsync(Cmp, "too-large", CancellationToken.None), Is.Null);
        Assert.That(await Storage.Transactions.FindAsync(Cmp, "version-2", CancellationToken.None), Is.Null);
        Assert.That((await Storage.Transactions.FindAsync(Cmp, "large", CancellationToken.None))!.Version, Is.EqualTo(1));
    }

    [Test]
    public async Task An_update_at_the_stored_version_moves_it_on_and_a_stale_one_changes_nothing()
    {
        var begun = Transaction("sender-a/0201", state: "awaiting-confirmation", dueAt: T0.AddMinutes(5));
        await Storage.Transactions.TryBeginAsync(begun, CancellationToken.None);

        var confirmed = begun with { State = "confirmed", Payload = [1, 2, 3], UpdatedAt = T0.AddSeconds(10), DueAt = null };
        Assert.That(await Storage.Transactions.TryUpdateAsync(confirmed, 1, CancellationToken.None), Is.True);
        AssertSame(await Storage.Transactions.FindAsync(Cmp, begun.Key, CancellationToken.None), confirmed with { Version = 2 });

        var stale = begun with { State = "rejected", Payload = [7], UpdatedAt = T0.AddSeconds(20), DueAt = T0.AddHours(1) };
        Assert.That(await Storage.Transactions.TryUpdateAsync(stale, 1, CancellationToken.None), Is.False, "version 1 is gone");
        Assert.That(await Storage.Transactions.TryUpdateAsync(stale, 3, CancellationToken.None), Is.False, "version 3 is not there yet");
        AssertSame(await Storage.Transactions.FindAsync(Cmp, begun.Key, CancellationToken.None), confirmed with { Version = 2 });

        Assert.That(await Storage.Transactions.TryUpdateAsync(stale, 2, CancellationToken.None), Is.True);
        AssertSame(await Storage.Transactions.FindAsync(Cmp, begun.Key, CancellationToken.None), stale with { Version = 3 });
        Assert.That(await Storage.Transactions.TryUpdateAsync(Transaction("never-begun"), 1, CancellationToken.None), Is.False, "nothing to update");
        Assert.That(await Storage.Transactions.FindAsync(Cmp, "never-begun", CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task Of_nodes_racing_on_one_transaction_exactly_one_begins_it_and_exactly_one_moves_it_on()
    {
        await using var other = await Factory.OpenAsync("node-b", TimeProvider.System);
        var nodes = new[] { Storage, other };
        var begun = Transaction("sender-a/0301");
        var begins = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
            nodes[i % 2].Transactions.TryBeginAsync(begun with { State = $"begun-by-{i}" }, CancellationToken.None))));
        Assert.That(begins.Count(b => b), Is.EqualTo(1), "one begin wins");
        var winner = Array.IndexOf(begins, true);
        Assert.That((await other.Transactions.FindAsync(Cmp, begun.Key, CancellationToken.None))!.State, Is.EqualTo($"begun-by-{winner}"));

        var updates = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
            nodes[i % 2].Transactions.TryUpdateAsync(begun with { State = $"updated-by-{i}", Payload = [(byte)i], UpdatedAt = T0.AddSeconds(i) }, 1,
                CancellationToken.None))));
        Assert.That(updates.Count(u => u), Is.EqualTo(1), "one update at version 1 wins");
        var updater = Array.IndexOf(updates, true);
        foreach (var node in nodes)
        {
            AssertSame(await node.Transactions.FindAsync(Cmp, begun.Key, CancellationToken.None),
                begun with { State = $"updated-by-{updater}", Payload = [(byte)updater], UpdatedAt = T0.AddSeconds(updater), Version = 2 });
        }
    }

    [Test]
    public async Task Only_transactions_of_the_state_that_are_due_are_listed_soonest_first_up_to_the_limit()
    {
        var now = T0.AddHours(1);
        var transactions = new[]
        {
            Transaction("due-second", dueAt: now.AddMinutes(-5)),
            Transaction("due-at-now", dueAt: now),
            Transaction("due-first", dueAt: now.AddMinutes(-30)),
            Transaction("due-later", dueAt: now.AddTicks(1)),
            Transaction("never-due", dueAt: null),
            Transaction("other-state", state: "polling", dueAt: now.AddMinutes(-40)),
            Transaction("other-protocol", protocol: "acme", dueAt: now.AddMinutes(-40)),
        };
        foreach (var transaction in transactions)
        {
            Assert.That(await Storage.Transactions.TryBeginAsync(transaction, CancellationToken.None), Is.True, transaction.Key);
        }

        var due = await Storage.Transactions.ListDueAsync(Cmp, "awaiting-confirmation", now, 10, CancellationToken.None);
        Assert.That(due.Select(t => t.Key), Is.EqualTo(new[] { "due-first", "due-second", "due-at-now" }));
        AssertSame(due[0], transactions[2]);
        Assert.That((await Storage.Transactions.ListDueAsync(Cmp, "awaiting-confirmation", now, 2, CancellationToken.None)).Select(t => t.Key),
            Is.EqualTo(new[] { "due-first", "due-second" }), "the limit keeps the soonest");
        Assert.That(await Storage.Transactions.ListDueAsync(Cmp, "awaiting-confirmation", now, 0, CancellationToken.None), Is.Empty);
        Assert.That((await Storage.Transactions.ListDueAsync(Cmp, "polling", now, 10, CancellationToken.None)).Select(t => t.Key),
            Is.EqualTo(new[] { "other-state" }));

        // Moved on (e.g. confirmed, no deadline): no longer listed.
        Assert.That(await Storage.Transactions.TryUpdateAsync(transactions[2] with { State = "confirmed", DueAt = null }, 1, CancellationToken.None), Is.True);
        Assert.That((await Storage.Transactions.ListDueAsync(Cmp, "awaiting-confirmation", now, 10, CancellationToken.None)).Select(t => t.Key),
            Is.EqualTo(new[] { "due-second", "due-at-now" }));
    }

    [Test]
    public async Task Pruning_deletes_only_the_protocols_transactions_updated_before_the_window()
    {
        var cutoff = T0.AddDays(1);
        var old = Transaction("old", updatedAt: cutoff.AddTicks(-1));
        var atCutoff = Transaction("at-cutoff", updatedAt: cutoff);
        var recent = Transaction("recent", updatedAt: cutoff.AddHours(1));
        var otherProtocol = Transaction("old", protocol: "acme", updatedAt: T0);
        var oldButTouched = Transaction("old-but-touched", updatedAt: T0);
        foreach (var transaction in new[] { old, atCutoff, recent, otherProtocol, oldButTouched })
        {
            await Storage.Transactions.TryBeginAsync(transaction, CancellationToken.None);
        }
        Assert.That(await Storage.Transactions.TryUpdateAsync(oldButTouched with { UpdatedAt = cutoff.AddMinutes(1) }, 1, CancellationToken.None), Is.True);

        Assert.That(await Storage.Transactions.PruneAsync(Cmp, cutoff, CancellationToken.None), Is.EqualTo(1));
        Assert.That(await Storage.Transactions.FindAsync(Cmp, "old", CancellationToken.None), Is.Null);
        foreach (var (protocol, key) in new[] { (Cmp, "at-cutoff"), (Cmp, "recent"), ("acme", "old"), (Cmp, "old-but-touched") })
        {
            Assert.That(await Storage.Transactions.FindAsync(protocol, key, CancellationToken.None), Is.Not.Null, $"{protocol}/{key} kept");
        }
        Assert.That(await Storage.Transactions.PruneAsync(Cmp, cutoff, CancellationToken.None), Is.Zero, "nothing left to prune");
        Assert.That(await Storage.Transactions.TryBeginAsync(old, CancellationToken.None), Is.True, "a pruned key can begin again");
    }

    [Test]
    public async Task Transactions_are_kept_across_a_reopen()
    {
        var begun = Transaction("sender-a/0401", dueAt: T0.AddMinutes(5));
        await Storage.Transactions.TryBeginAsync(begun, CancellationToken.None);
        var updated = begun with { State = "confirmed", Payload = [4, 2], UpdatedAt = T0.AddMinutes(1), DueAt = null };
        await Storage.Transactions.TryUpdateAsync(updated, 1, CancellationToken.None);
        await ReopenAsync();
        AssertSame(await Storage.Transactions.FindAsync(Cmp, begun.Key, CancellationToken.None), updated with { Version = 2 });
        Assert.That(await Storage.Transactions.TryBeginAsync(begun, CancellationToken.None), Is.False, "still a replay after the reopen");
        Assert.That(await Storage.Transactions.TryUpdateAsync(updated, 2, CancellationToken.None), Is.True, "the version survived too");
    }
}
