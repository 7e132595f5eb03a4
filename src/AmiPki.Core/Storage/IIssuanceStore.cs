using AmiPki.Core.Audit;

namespace AmiPki.Core.Storage;

/// <summary>
/// What the issuance pipeline writes. Every method returns only once its write is durable; implementations share
/// one durable transaction between concurrent callers (group commit) so throughput is not capped by fsync.
/// </summary>
public interface IIssuanceStore
{
    /// <summary>Records the intent (state Signing). False if the issuer already used this serial in any state.</summary>
    Task<bool> TryReserveAsync(IssuanceIntent intent, CancellationToken cancellationToken);

    /// <summary>Records the signed certificate (state Issued) and its audit entry in one durable transaction.</summary>
    Task CompleteAsync(string issuer, string serialHex, byte[] der, string sha256Hex, AuditEvent audit, CancellationToken cancellationToken);

    /// <summary>Marks a reserved serial Failed (signing refused for certain) with its audit entry; the serial is never reused.</summary>
    Task AbandonAsync(string issuer, string serialHex, AuditEvent audit, CancellationToken cancellationToken);

    /// <summary>
    /// Marks every serial still Signing that was reserved before <paramref name="reservedBefore"/> as
    /// <see cref="CertificateState.OutcomeUnknown"/>, with the audit entry <paramref name="audit"/> makes for each, in one
    /// durable transaction; returns their intents. Serials already marked are not marked (or audited) again. A later
    /// <see cref="CompleteAsync"/> of such a serial still records it as Issued.
    /// </summary>
    Task<IReadOnlyList<IssuanceIntent>> MarkOutcomeUnknownAsync(DateTimeOffset reservedBefore, Func<IssuanceIntent, AuditEvent> audit,
        CancellationToken cancellationToken);
}
