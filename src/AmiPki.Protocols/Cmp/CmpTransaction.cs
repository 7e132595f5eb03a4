namespace AmiPki.Protocols.Cmp;

/// <summary>
/// One CMP transaction (RFC 4210 §5.1.1 transactionID) as the responder remembers it: who opened it, the last
/// senderNonce we sent (the next request's recipNonce must equal it), and an issued certificate awaiting certConf.
/// Loaded from and saved to storage by <see cref="CmpTransactionStore"/> for each message; mutated only under <see cref="Lock"/>.
/// </summary>
public sealed class CmpTransaction
{
    public CmpTransaction(string key, string identity, DateTimeOffset createdAt)
    {
        Key = key;
        Identity = identity;
        CreatedAt = createdAt;
    }

    public Lock Lock { get; } = new();

    /// <summary>The stored version this copy was read at (compare-and-set on save).</summary>
    public long Version { get; set; }

    public string Key { get; }

    public string Identity { get; }

    public DateTimeOffset CreatedAt { get; }

    public byte[]? LastSenderNonce { get; set; }

    public CmpTransactionState State { get; set; } = CmpTransactionState.Open;

    public int CertReqId { get; set; }

    /// <summary>ir, cr, p10cr or kur: decides the response body (ip, cp, kup).</summary>
    public PkiBodyType RequestType { get; set; }

    public bool ImplicitConfirmRequested { get; set; }

    /// <summary>While waiting for manual approval: the pending request id and the checked request to issue once approved.</summary>
    public string? PendingId { get; set; }

    public AmiPki.Core.Issuance.EnrollmentRequest? Enrollment { get; set; }

    public string? Issuer { get; set; }

    public string? SerialHex { get; set; }

    public byte[]? CertificateDer { get; set; }

    public string? Profile { get; set; }

    /// <summary>For kur under a profile that supersedes: the old certificate, revoked once the new one is confirmed.</summary>
    public (string Issuer, string SerialHex)? Supersedes { get; set; }

    /// <summary>An unconfirmed certificate is revoked after this time.</summary>
    public DateTimeOffset ConfirmBy { get; set; }

    /// <summary>When the transaction finished; it is forgotten after the replay window.</summary>
    public DateTimeOffset? FinishedAt { get; set; }
}
