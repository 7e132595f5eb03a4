namespace AmiPki.Protocols.Cmp;

/// <summary>
/// How a response is protected (RFC 4210 §5.1.3): with the requester's shared secret when its MAC verified (RFC 9483
/// §3.2: "the same way"), otherwise with the responder's signature; unprotected only if no responder is available.
/// </summary>
public sealed class CmpResponseProtection
{
    private CmpResponseProtection(IPasswordMac? mac, byte[]? secret, byte[]? senderKid, CmpResponder? responder)
    {
        Mac = mac;
        Secret = secret;
        SenderKid = senderKid;
        Responder = responder;
    }

    public IPasswordMac? Mac { get; }

    public byte[]? Secret { get; }

    /// <summary>senderKID of the response: the reference for MAC (RFC 9483 §3.1), the responder's SKI for a signature.</summary>
    public byte[]? SenderKid { get; }

    /// <summary>Names the sender and, without a MAC, signs.</summary>
    public CmpResponder? Responder { get; }

    public static CmpResponseProtection WithMac(IPasswordMac mac, byte[] secret, byte[]? senderKid, CmpResponder? responder) =>
        new(mac.WithFreshSalt(), secret, senderKid, responder);

    public static CmpResponseProtection WithSignature(CmpResponder responder) => new(null, null, responder.SubjectKeyIdentifier, responder);

    public static CmpResponseProtection None { get; } = new(null, null, null, null);
}
