using AmiPki.Core.Audit;

namespace AmiPki.Core.Tests.Audit;

public sealed class AuditChainVerifierTests
{
    private static List<AuditEntry> Chain(int count, string node = "node-1")
    {
        var entries = new List<AuditEntry>();
        var previous = AuditChain.Genesis;
        for (var sequence = 1; sequence <= count; sequence++)
        {
            var auditEvent = new AuditEvent(new DateTimeOffset(2026, 11, 22, 0, 0, sequence % 60, TimeSpan.Zero), "issuance", "cli:test", "success", $"serial={sequence:X32}");
            var hash = AuditChain.ComputeHash(previous, sequence, node, auditEvent);
            entries.Add(new AuditEntry(sequence, node, auditEvent, previous, hash));
            previous = hash;
        }
        return entries;
    }

    private static Task<AuditVerification> Verify(IEnumerable<AuditEntry> entries, AuditHead head) =>
        AuditChainVerifier.VerifyAsync(entries.ToAsyncEnumerable(), [head], CancellationToken.None);

    private static AuditHead HeadOf(List<AuditEntry> entries) => new("node-1", entries[^1].Sequence, entries[^1].Hash);

    [Test]
    public async Task An_intact_chain_verifies()
    {
        var entries = Chain(10);
        var result = await Verify(entries, HeadOf(entries));
        Assert.That(result.IsIntact, Is.True, result.Problem);
        Assert.That(result.EntriesChecked, Is.EqualTo(10));
    }

    [Test]
    public async Task A_deleted_entry_is_named()
    {
        var entries = Chain(10);
        var head = HeadOf(entries);
        entries.RemoveAt(4);
        var result = await Verify(entries, head);
        Assert.That(result.FirstBadSequence, Is.EqualTo(5));
        Assert.That(result.Problem, Does.Contain("missing"));
    }

    [Test]
    public async Task An_altered_entry_is_named()
    {
        var entries = Chain(10);
        var head = HeadOf(entries);
        entries[6] = entries[6] with { Event = entries[6].Event with { Detail = "serial=forged" } };
        var result = await Verify(entries, head);
        Assert.That(result.FirstBadSequence, Is.EqualTo(7));
        Assert.That(result.Problem, Does.Contain("altered"));
    }

    [Test]
    public async Task Swapped_entries_are_named()
    {
        var entries = Chain(10);
        var head = HeadOf(entries);
        // Swap the contents of entries 3 and 4 but keep the sequence numbers in order, as a sly edit would.
        (entries[2], entries[3]) = (entries[3] with { Sequence = 3 }, entries[2] with { Sequence = 4 });
        var result = await Verify(entries, head);
        Assert.That(result.FirstBadSequence, Is.EqualTo(3));
    }

    [Test]
    public async Task A_truncated_tail_is_detected_by_the_head()
    {
        var entries = Chain(10);
        var head = HeadOf(entries);
        var result = await Verify(entries.Take(7), head);
        Assert.That(result.IsIntact, Is.False);
        Assert.That(result.FirstBadSequence, Is.EqualTo(8));
        Assert.That(result.Problem, Does.Contain("truncated"));
    }
}
