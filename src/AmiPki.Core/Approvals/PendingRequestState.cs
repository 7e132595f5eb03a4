namespace AmiPki.Core.Approvals;

/// <summary>Life of a request held for manual approval (profile.ManualApproval).</summary>
public enum PendingRequestState
{
    /// <summary>Waiting for an admin; the client is told to retry later (EST 202 + Retry-After, RFC 7030 §4.2.3).</summary>
    Pending,

    /// <summary>An admin approved it; the next identical request is issued.</summary>
    Approved,

    /// <summary>An admin rejected it; the next identical request is refused with the reason.</summary>
    Rejected,

    /// <summary>Issued after approval; identical requests get the same certificate back, never a second one.</summary>
    Issued,
}
