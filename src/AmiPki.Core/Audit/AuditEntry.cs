namespace AmiPki.Core.Audit;

/// <summary>A stored audit event: its per-node sequence number and the hash chaining it to the previous entry.</summary>
public sealed record AuditEntry(long Sequence, string Node, AuditEvent Event, byte[] PreviousHash, byte[] Hash);
