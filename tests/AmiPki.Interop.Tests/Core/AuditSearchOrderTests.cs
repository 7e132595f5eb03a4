using AmiPki.Cli.Commands;
using AmiPki.Core.Audit;

namespace AmiPki.Interop.Tests.Core;

/// <summary>
/// <see cref="AuditSearchCommand.NewestAsync"/>: storage streams node by node, so the newest across nodes must be chosen by
/// time, newest first, bounded by the limit, saying whether older matches were left out.
/// </summary>
public sealed class AuditSearchOrderTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private static AuditEntry Entry(string node, long sequence, int minute, string kind = "issuance") =>
        new(sequence, node, new AuditEvent(T0.AddMinutes(minute), kind, "cli:test", "success", $"serial={sequence:X2}"), [], []);

    private static async IAsyncEnumerable<AuditEntry> Stream(IEnumerable<AuditEntry> entries)
    {
        foreach (var entry in entries)
        {
            await Task.Yield();
            yield return entry;
        }
    }

    [Test]
    public async Task The_newest_across_nodes_come_first_bounded_by_the_limit()
    {
        // node order, as storage reads: node-1 at minutes 0, 3, 4; node-2 at minutes 1, 2, 5.
        var entries = new[] { Entry("node-1", 1, 0), Entry("node-1", 2, 3), Entry("node-1", 3, 4), Entry("node-2", 1, 1), Entry("node-2", 2, 2), Entry("node-2", 3, 5) };

        var (all, more) = await AuditSearchCommand.NewestAsync(Stream(entries), new AuditFilter(), 100, CancellationToken.None);
        Assert.That(all.Select(e => e.Event.At.Minute), Is.EqualTo(new[] { 5, 4, 3, 2, 1, 0 }));
        Assert.That(more, Is.False);

        var (top, cut) = await AuditSearchCommand.NewestAsync(Stream(entries), new AuditFilter(), 3, CancellationToken.None);
        Assert.That(top.Select(e => (e.Node, e.Sequence)), Is.EqualTo(new[] { ("node-2", 3L), ("node-1", 3L), ("node-1", 2L) }));
        Assert.That(cut, Is.True);

        var (exact, notCut) = await AuditSearchCommand.NewestAsync(Stream(entries), new AuditFilter(), 6, CancellationToken.None);
        Assert.That(exact, Has.Count.EqualTo(6));
        Assert.That(notCut, Is.False);
    }

    [Test]
    public async Task Ties_in_time_are_broken_by_node_then_sequence_and_the_filter_applies_before_the_limit()
    {
        var entries = new[] { Entry("node-1", 1, 0, "crl"), Entry("node-1", 2, 0), Entry("node-2", 1, 0), Entry("node-2", 2, 0, "crl") };
        var (crls, more) = await AuditSearchCommand.NewestAsync(Stream(entries), new AuditFilter(Kind: "crl"), 2, CancellationToken.None);
        Assert.That(crls.Select(e => (e.Node, e.Sequence)), Is.EqualTo(new[] { ("node-2", 2L), ("node-1", 1L) }));
        Assert.That(more, Is.False);
    }
}
