namespace AmiPki.Protocols.Cmp;

/// <summary>Where a CMP transaction stands.</summary>
public enum CmpTransactionState
{
    /// <summary>Opened by a request still being served.</summary>
    Open,

    /// <summary>The request waits for an admin's approval; the requester polls (RFC 4210 §5.3.22).</summary>
    Waiting,

    /// <summary>A certificate was issued and waits for certConf (RFC 4210 §5.3.18).</summary>
    AwaitingConfirmation,

    /// <summary>Finished (confirmed, rejected, revoked or answered); kept only to refuse a replay.</summary>
    Done,
}
