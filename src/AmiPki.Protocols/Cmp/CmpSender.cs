using AmiPki.Core.Credentials;
using AmiPki.Core.Issuance;
using AmiPki.Core.Storage;

namespace AmiPki.Protocols.Cmp;

/// <summary>
/// A requester whose protection verified (RFC 4210 §5.1.3): either a reference number whose shared secret keyed a
/// valid MAC, or the holder of a current AmiPki certificate whose signature verified.
/// </summary>
public sealed class CmpSender
{
    private CmpSender(string identity, EnrollmentCredential? credential, IPasswordMac? mac, byte[]? secret, byte[]? senderKid,
        CertificateFields? certificate, CertificateRecord? record)
    {
        Identity = identity;
        Credential = credential;
        Mac = mac;
        Secret = secret;
        SenderKid = senderKid;
        Certificate = certificate;
        Record = record;
    }

    /// <summary><c>cmp-ref:&lt;reference&gt;</c> or <c>cert:&lt;issuer&gt;:&lt;serial&gt;</c>: the audit actor and the transaction owner.</summary>
    public string Identity { get; }

    public EnrollmentCredential? Credential { get; }

    public IPasswordMac? Mac { get; }

    public byte[]? Secret { get; }

    public byte[]? SenderKid { get; }

    /// <summary>The signer's certificate, as presented first in extraCerts (byte for byte the one AmiPki recorded).</summary>
    public CertificateFields? Certificate { get; }

    public CertificateRecord? Record { get; }

    public bool IsCertificate => Certificate is not null;

    public static CmpSender ForCredential(EnrollmentCredential credential, IPasswordMac mac, byte[] secret, byte[] senderKid) =>
        new($"cmp-ref:{credential.Name}", credential, mac, secret, senderKid, null, null);

    public static CmpSender ForCertificate(CertificateFields certificate, CertificateRecord record) =>
        new($"cert:{record.Issuer}:{record.SerialHex}", null, null, null, null, certificate, record);

    public CmpResponseProtection Protection(CmpResponder? responder) => Mac is not null
        ? CmpResponseProtection.WithMac(Mac, Secret!, SenderKid, responder)
        : responder is not null ? CmpResponseProtection.WithSignature(responder) : CmpResponseProtection.None;
}
