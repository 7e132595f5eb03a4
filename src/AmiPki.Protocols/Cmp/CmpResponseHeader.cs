namespace AmiPki.Protocols.Cmp;

/// <summary>What a response header echoes from its request (RFC 4210 §5.1.1): version, peer, transactionID, nonce.</summary>
/// <param name="RecipientDer">The request's sender GeneralName, echoed as our recipient; null for an empty directoryName.</param>
public sealed record CmpResponseHeader(int Version, byte[]? RecipientDer, byte[]? TransactionId, byte[]? RecipNonce)
{
    /// <summary>Our fresh senderNonce (16 CSPRNG bytes), set by the writer.</summary>
    public byte[] SenderNonce { get; } = System.Security.Cryptography.RandomNumberGenerator.GetBytes(16);

    /// <summary>Echo id-it-implicitConfirm: the requester asked and we granted it (RFC 4210 §5.1.1.1).</summary>
    public bool ImplicitConfirm { get; init; }

    public static CmpResponseHeader For(PkiMessage? request) => request is null
        ? new CmpResponseHeader(2, null, null, null)
        : new CmpResponseHeader(request.Header.Version is 3 ? 3 : 2, request.Header.SenderDer.ToArray(), request.Header.TransactionId, request.Header.SenderNonce);
}
