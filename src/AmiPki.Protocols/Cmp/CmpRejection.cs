namespace AmiPki.Protocols.Cmp;

/// <summary>
/// Why a CMP request is refused: becomes an <c>error</c> message (RFC 4210 §5.3.21) with PKIStatus rejection and the
/// PKIFailureInfo bit, sent with HTTP 200 (RFC 6712 §3.3). The reason text goes to the requester and the audit log.
/// </summary>
public sealed class CmpRejection : Exception
{
    public CmpRejection(PkiFailureInfo failure, string reason) : base(reason)
    {
        Failure = failure;
    }

    public CmpRejection(PkiFailureInfo failure, string reason, Exception inner) : base(reason, inner)
    {
        Failure = failure;
    }

    public PkiFailureInfo Failure { get; }
}
