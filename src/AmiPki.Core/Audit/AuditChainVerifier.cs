namespace AmiPki.Core.Audit;

/// <summary>
/// Walks a node's entries in sequence order and names the first one that is missing, reordered or altered,
/// then compares the end of the chain with the recorded head to catch truncation.
/// </summary>
public static class AuditChainVerifier
{
    public static async Task<AuditVerification> VerifyAsync(IAsyncEnumerable<AuditEntry> entries, IReadOnlyCollection<AuditHead> heads,
        CancellationToken cancellationToken)
    {
        var lastByNode = new Dictionary<string, (long Sequence, byte[] Hash)>(StringComparer.Ordinal);
        long checkedCount = 0;
        await foreach (var entry in entries.WithCancellation(cancellationToken))
        {
            var (expectedSequence, previousHash) = lastByNode.TryGetValue(entry.Node, out var last)
                ? (last.Sequence + 1, last.Hash)
                : (1L, AuditChain.Genesis);
            if (entry.Sequence != expectedSequence)
            {
                return new AuditVerification(checkedCount, expectedSequence,
                    entry.Sequence > expectedSequence
                        ? $"node {entry.Node}: entry {expectedSequence} is missing (next present is {entry.Sequence})"
                        : $"node {entry.Node}: entry {entry.Sequence} is out of order (expected {expectedSequence})");
            }
            if (!entry.PreviousHash.AsSpan().SequenceEqual(previousHash))
            {
                return new AuditVerification(checkedCount, entry.Sequence,
                    $"node {entry.Node}: entry {entry.Sequence} does not chain to entry {entry.Sequence - 1}");
            }
            var recomputed = AuditChain.ComputeHash(previousHash, entry.Sequence, entry.Node, entry.Event);
            if (!recomputed.AsSpan().SequenceEqual(entry.Hash))
            {
                return new AuditVerification(checkedCount, entry.Sequence,
                    $"node {entry.Node}: entry {entry.Sequence} was altered (its hash does not match its content)");
            }
            lastByNode[entry.Node] = (entry.Sequence, entry.Hash);
            checkedCount++;
        }
        foreach (var head in heads)
        {
            lastByNode.TryGetValue(head.Node, out var last);
            if (last.Sequence != head.Sequence || (head.Sequence > 0 && !head.Hash.AsSpan().SequenceEqual(last.Hash)))
            {
                return new AuditVerification(checkedCount, Math.Min(last.Sequence + 1, head.Sequence),
                    $"node {head.Node}: the log ends at entry {last.Sequence} but the recorded head is entry {head.Sequence} (truncated or altered)");
            }
        }
        return new AuditVerification(checkedCount, null, null);
    }
}
