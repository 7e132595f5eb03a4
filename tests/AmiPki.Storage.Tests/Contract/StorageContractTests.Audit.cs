using AmiPki.Core.Audit;

namespace AmiPki.Storage.Tests.Contract;

public abstract partial class StorageContractTests
{
    private const int AuditEntries = 10;

    private async Task AppendAuditEntriesAsync(int count = AuditEntries)
    {
        // Awaited one by one so that entry n has sequence number n.
        for (var i = 1; i <= count; i++)
        {
            await Storage.Audit.AppendAsync(new AuditEvent(T0.AddSeconds(i), "login", $"admin-{i}", "success", $"entry {i}"), CancellationToken.None);
        }
    }

    [Test]
    public async Task Audit_entries_are_numbered_chained_and_verify()
    {
        await AppendAuditEntriesAsync();

        var entries = await ReadAuditAsync();

        Assert.That(entries.Select(e => e.Sequence), Is.EqualTo(Enumerable.Range(1, AuditEntries).Select(n => (long)n)));
        Assert.That(entries.Select(e => e.Event.Detail), Is.EqualTo(Enumerable.Range(1, AuditEntries).Select(n => $"entry {n}")));
        Assert.That(entries[0].PreviousHash, Is.EqualTo(AuditChain.Genesis));
        Assert.That(entries[0].Event.At, Is.EqualTo(T0.AddSeconds(1)), "the time survives to the tick");
        var heads = await Storage.Audit.ReadHeadsAsync(CancellationToken.None);
        Assert.That(heads.Single().Sequence, Is.EqualTo(AuditEntries));
        Assert.That(heads.Single().Hash, Is.EqualTo(entries[^1].Hash));
        var verification = await VerifyAuditAsync();
        Assert.That(verification.IsIntact, Is.True, verification.Problem);
        Assert.That(verification.EntriesChecked, Is.EqualTo(AuditEntries));
    }

    [Test]
    public async Task Each_node_keeps_its_own_chain_across_reopening()
    {
        await AppendAuditEntriesAsync(3);
        await ReopenAsync("node-b");
        await AppendAuditEntriesAsync(2);
        await ReopenAsync(Node);
        await AppendAuditEntriesAsync(1);

        var entries = await ReadAuditAsync();

        Assert.That(entries.Where(e => e.Node == Node).Select(e => e.Sequence), Is.EqualTo(new long[] { 1, 2, 3, 4 }));
        Assert.That(entries.Where(e => e.Node == "node-b").Select(e => e.Sequence), Is.EqualTo(new long[] { 1, 2 }));
        Assert.That((await Storage.Audit.ReadHeadsAsync(CancellationToken.None)).Select(h => (h.Node, h.Sequence)),
            Is.EquivalentTo(new[] { (Node, 4L), ("node-b", 2L) }));
        Assert.That((await VerifyAuditAsync()).IsIntact, Is.True);
    }

    [Test]
    public async Task A_deleted_audit_entry_is_detected()
    {
        await AppendAuditEntriesAsync();

        await Factory.ExecuteRawAsync($"DELETE FROM audit_log WHERE node = '{Node}' AND seq = 5;");

        var verification = await VerifyAuditAsync();
        Assert.That(verification.FirstBadSequence, Is.EqualTo(5), verification.Problem);
    }

    [Test]
    public async Task An_altered_audit_entry_is_detected()
    {
        await AppendAuditEntriesAsync();

        await Factory.ExecuteRawAsync($"UPDATE audit_log SET detail = 'nothing happened' WHERE node = '{Node}' AND seq = 5;");

        var verification = await VerifyAuditAsync();
        Assert.That(verification.FirstBadSequence, Is.EqualTo(5), verification.Problem);
    }

    [Test]
    public async Task Swapped_audit_entries_are_detected()
    {
        await AppendAuditEntriesAsync();

        await Factory.ExecuteRawAsync($"""
            UPDATE audit_log SET seq = -1 WHERE node = '{Node}' AND seq = 5;
            UPDATE audit_log SET seq = 5 WHERE node = '{Node}' AND seq = 6;
            UPDATE audit_log SET seq = 6 WHERE node = '{Node}' AND seq = -1;
            """);

        var verification = await VerifyAuditAsync();
        Assert.That(verification.FirstBadSequence, Is.EqualTo(5), verification.Problem);
    }

    [Test]
    public async Task A_truncated_audit_log_is_detected()
    {
        await AppendAuditEntriesAsync();

        await Factory.ExecuteRawAsync($"DELETE FROM audit_log WHERE node = '{Node}' AND seq > 8;");

        var verification = await VerifyAuditAsync();
        Assert.That(verification.FirstBadSequence, Is.EqualTo(9), verification.Problem);
    }

    [Test]
    public async Task Appending_after_tampering_does_not_hide_it()
    {
        await AppendAuditEntriesAsync();
        await Factory.ExecuteRawAsync($"UPDATE audit_log SET actor = 'nobody' WHERE node = '{Node}' AND seq = 3;");

        await AppendAuditEntriesAsync(5);

        Assert.That((await VerifyAuditAsync()).FirstBadSequence, Is.EqualTo(3));
    }

    [Test]
    public async Task The_snapshot_verification_names_a_tampered_entry()
    {
        await AppendAuditEntriesAsync(5);
        Assert.That((await Storage.Audit.VerifyAsync(CancellationToken.None)).IsIntact, Is.True);

        await Factory.ExecuteRawAsync($"UPDATE audit_log SET outcome = 'refused' WHERE node = '{Node}' AND seq = 2;");

        Assert.That((await Storage.Audit.VerifyAsync(CancellationToken.None)).FirstBadSequence, Is.EqualTo(2));
    }

    [Test]
    public async Task Two_processes_appending_to_one_nodes_chain_keep_it_intact()
    {
        // The server and the CLI (e.g. `amipki revoke`) may open the same database under the same node name: SQLite's
        // write lock, or PostgreSQL's row lock on the chain's head, orders them.
        await using var cli = await Factory.OpenAsync(Node, TimeProvider.System);

        await Task.WhenAll(Enumerable.Range(0, 400).Select(i => (i % 2 == 0 ? Storage : cli).Audit.AppendAsync(
            new AuditEvent(DateTimeOffset.UtcNow, "login", $"admin-{i}", "success", $"{i}"), CancellationToken.None)));

        var verification = await Storage.Audit.VerifyAsync(CancellationToken.None);
        Assert.That(verification.IsIntact, Is.True, verification.Problem);
        Assert.That(verification.EntriesChecked, Is.EqualTo(400));
    }

    [Test]
    public async Task Writes_after_dispose_are_refused()
    {
        var storage = await Factory.OpenAsync(Node, TimeProvider.System);
        await storage.DisposeAsync();

        Assert.Throws<ObjectDisposedException>(() => storage.Audit.AppendAsync(new AuditEvent(DateTimeOffset.UtcNow, "login", "a", "success", ""),
            CancellationToken.None));
    }
}
