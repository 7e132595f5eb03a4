namespace AmiPki.Core.Transactions;

/// <summary>
/// A protocol transaction as storage keeps it (CMP transactionID and nonces, later ACME orders…), so that a restart or
/// another node behind a load balancer answers its next message the same: the protocol's own state is an opaque
/// payload; <see cref="State"/> and <see cref="DueAt"/> let a sweep find what waits for a deadline.
/// </summary>
/// <param name="Protocol">e.g. <c>cmp</c>.</param>
/// <param name="Key">Unique within the protocol, e.g. the authenticated sender and the transactionID.</param>
/// <param name="State">The protocol's state name, e.g. <c>awaiting-confirmation</c>.</param>
/// <param name="Payload">The protocol's serialised transaction (at most 1 MiB).</param>
/// <param name="DueAt">When the state times out (e.g. the certConf deadline); null: never.</param>
/// <param name="Version">Starts at 1; every successful update increments it (compare-and-set across nodes).</param>
public sealed record ProtocolTransaction(
    string Protocol,
    string Key,
    string State,
    byte[] Payload,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? DueAt,
    long Version);
