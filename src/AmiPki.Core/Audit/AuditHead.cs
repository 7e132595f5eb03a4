namespace AmiPki.Core.Audit;

/// <summary>
/// The last sequence number and hash of a node's chain, kept apart from the entries so that cutting entries off
/// the end of the log (truncation) is detected too.
/// </summary>
public sealed record AuditHead(string Node, long Sequence, byte[] Hash);
