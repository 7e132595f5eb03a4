using AmiPki.Core.Audit;
using AmiPki.Core.Storage;

namespace AmiPki.Core.Issuance;

/// <summary>
/// The start-up recovery pass of the issuance pipeline. A process killed between recording the intent (DESIGN.md step 6)
/// and recording the certificate (step 8) leaves its serial in state Signing, and nothing tells such an orphan apart from
/// an issuance still in flight. Run before this process issues anything, the pass marks every Signing serial reserved
/// before it started as <see cref="CertificateState.OutcomeUnknown"/>, audited one entry per serial: the key may have
/// signed, so the serial stays revocable, never "good" over OCSP, and is never reused (the reservation keeps it).
/// </summary>
/// <remarks>
/// Another process may still be completing an intent reserved before this one started (an <c>amipki issue</c> running
/// beside the server, or another node on shared storage). Marking it is harmless: its completion still records it as
/// Issued, and the audit log then shows both entries.
/// </remarks>
public sealed class OrphanedIntentRecovery
{
    /// <summary>The audit kind and outcome of one recovered serial (kind shared with the issuance entries it stands in for).</summary>
    public const string AuditKind = "issuance";
    public const string AuditOutcome = "outcome-unknown";
    public const string Actor = "system:recovery";

    private readonly IIssuanceStore _store;
    private readonly TimeProvider _time;

    public OrphanedIntentRecovery(IIssuanceStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
    }

    /// <summary>Marks the orphaned intents reserved before <paramref name="processStartedAt"/>; returns them.</summary>
    public Task<IReadOnlyList<IssuanceIntent>> RunAsync(DateTimeOffset processStartedAt, CancellationToken cancellationToken) =>
        _store.MarkOutcomeUnknownAsync(processStartedAt, Event, cancellationToken);

    private AuditEvent Event(IssuanceIntent intent) => new(_time.GetUtcNow(), AuditKind, Actor, AuditOutcome,
        $"serial={intent.SerialHex} issuer={intent.Issuer} profile={intent.Profile} subject={intent.Subject} " +
        $"requester={intent.Protocol}:{intent.Requester} reservedAt={intent.CreatedAt:O} " +
        "reason=the process ended after reserving the serial and before recording the certificate; a signature may exist: " +
        "treated as issued (revocable), never reused");
}
