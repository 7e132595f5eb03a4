using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;

namespace AmiPki.Protocols.Scep;

/// <summary>
/// A decoded SCEP pkiMessage (RFC 8894 §3.2): the signed attributes every request carries, the signer and its
/// certificate, and the still-encrypted pkcsPKIEnvelope. The signature is checked by <see cref="VerifySignature"/>.
/// </summary>
public sealed class ScepRequest
{
    internal ScepRequest(int messageType, string transactionId, byte[] senderNonce, SignerInfo signer, X509Certificate2? signerCertificate,
        ReadOnlyMemory<byte> envelope)
    {
        MessageTypeValue = messageType;
        TransactionId = transactionId;
        SenderNonce = senderNonce;
        Signer = signer;
        SignerCertificate = signerCertificate;
        Envelope = envelope;
    }

    /// <summary>The messageType as sent (RFC 8894 §3.2.1.2); may be a value this server does not know.</summary>
    public int MessageTypeValue { get; }

    public ScepMessageType? MessageType => Enum.IsDefined(typeof(ScepMessageType), MessageTypeValue) ? (ScepMessageType)MessageTypeValue : null;

    /// <summary>RFC 8894 §3.2.1.1: echoed in the reply.</summary>
    public string TransactionId { get; }

    /// <summary>RFC 8894 §3.2.1.5: becomes the reply's recipientNonce.</summary>
    public byte[] SenderNonce { get; }

    internal SignerInfo Signer { get; }

    /// <summary>The certificate that signed the message (self-signed for PKCSReq, the current one for RenewalReq).</summary>
    public X509Certificate2? SignerCertificate { get; }

    /// <summary>The DER ContentInfo of the EnvelopedData (RFC 8894 §3.2.2): empty when the message carried none.</summary>
    public ReadOnlyMemory<byte> Envelope { get; }

    /// <summary>The message signature verifies with the signer certificate (RFC 8894 §3.2: RSA or any CMS signature).</summary>
    public bool VerifySignature()
    {
        if (SignerCertificate is null)
        {
            return false;
        }
        try
        {
            Signer.CheckSignature(verifySignatureOnly: true);
            return true;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }
}
