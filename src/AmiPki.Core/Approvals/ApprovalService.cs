using AmiPki.Core.Audit;

namespace AmiPki.Core.Approvals;

/// <summary>
/// An admin's decision on a request of a manual-approval profile: approved requests are issued when their client
/// repeats them (RFC 7030 §4.2.3), rejected ones are refused with the reason. Each decision is audited.
/// </summary>
public sealed class ApprovalService
{
    private readonly IPendingRequestStore _store;
    private readonly IAuditLog _audit;
    private readonly TimeProvider _time;

    public ApprovalService(IPendingRequestStore store, IAuditLog audit, TimeProvider time)
    {
        _store = store;
        _audit = audit;
        _time = time;
    }

    /// <summary>The request after the decision.</summary>
    /// <exception cref="KeyNotFoundException">No request with this id.</exception>
    /// <exception cref="InvalidOperationException">The request was decided already.</exception>
    public async Task<PendingRequest> DecideAsync(string id, bool approve, string actor, string? reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        var requestId = id.Trim().ToLowerInvariant();
        var request = await _store.FindAsync(requestId, cancellationToken) ?? throw new KeyNotFoundException($"no request {requestId}");
        var now = _time.GetUtcNow();
        if (!await _store.DecideAsync(requestId, approve, actor, reason, now, cancellationToken))
        {
            var current = await _store.FindAsync(requestId, cancellationToken) ?? request;
            throw new InvalidOperationException($"request {requestId} is already {current.State.ToString().ToLowerInvariant()}");
        }
        await _audit.AppendAsync(new AuditEvent(now, "approval", actor, approve ? "approved" : "rejected",
            $"request={requestId} profile={request.Profile} subject={request.Subject} requester={request.Requester} reason={reason ?? "-"}"),
            CancellationToken.None);
        return await _store.FindAsync(requestId, cancellationToken) ?? request;
    }

    /// <summary>Parses a state filter as admins type it: pending, approved, rejected, issued, or all (null).</summary>
    /// <exception cref="ArgumentException">Anything else.</exception>
    public static PendingRequestState? ParseStateFilter(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Trim().ToLowerInvariant() switch
        {
            "all" => null,
            "pending" => PendingRequestState.Pending,
            "approved" => PendingRequestState.Approved,
            "rejected" => PendingRequestState.Rejected,
            "issued" => PendingRequestState.Issued,
            var other => throw new ArgumentException($"state '{other}': expected pending, approved, rejected, issued or all"),
        };
    }
}
