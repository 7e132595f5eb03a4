using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;

namespace AmiPki.Protocols.Tests.Scep.Support;

/// <summary>An opened CertRep: its signed attributes as sent (with their ASN.1 tags), and on SUCCESS the decrypted content.</summary>
public sealed class ScepTestReply
{
    private ScepTestReply()
    {
    }

    public string MessageType { get; private set; } = "";

    public string PkiStatus { get; private set; } = "";

    public string? FailInfo { get; private set; }

    public string? FailInfoText { get; private set; }

    public string TransactionId { get; private set; } = "";

    public byte[] SenderNonce { get; private set; } = [];

    public byte[] RecipientNonce { get; private set; } = [];

    /// <summary>The universal tags of messageType, pkiStatus and failInfo (RFC 8894 §3.2.1: PrintableString).</summary>
    public List<UniversalTagNumber> DecimalTags { get; } = [];

    public X509Certificate2 Signer { get; private set; } = null!;

    public string? ContentCipher { get; private set; }

    public List<X509Certificate2> Certificates { get; } = [];

    public int CrlCount { get; private set; }

    public byte[]? FirstCrl { get; private set; }

    public static ScepTestReply Open(byte[] body, X509Certificate2 ra, RSA? requesterKey, X509Certificate2? requester)
    {
        var cms = new SignedCms();
        cms.Decode(body);
        // Signature by the RA (verifies with the RA certificate the client got from GetCACert).
        cms.CheckSignature(new X509Certificate2Collection(ra), verifySignatureOnly: true);
        var signer = cms.SignerInfos.Cast<SignerInfo>().Single();
        var reply = new ScepTestReply { Signer = signer.Certificate! };
        foreach (var attribute in signer.SignedAttributes)
        {
            var value = attribute.Values[0].RawData;
            switch (attribute.Oid.Value)
            {
                case "2.16.840.1.113733.1.9.2":
                    reply.MessageType = Text(value, reply.DecimalTags);
                    break;
                case "2.16.840.1.113733.1.9.3":
                    reply.PkiStatus = Text(value, reply.DecimalTags);
                    break;
                case "2.16.840.1.113733.1.9.4":
                    reply.FailInfo = Text(value, reply.DecimalTags);
                    break;
                case "1.3.6.1.5.5.7.24.1":
                    reply.FailInfoText = new AsnReader(value, AsnEncodingRules.DER).ReadCharacterString(UniversalTagNumber.UTF8String);
                    break;
                case "2.16.840.1.113733.1.9.7":
                    reply.TransactionId = Text(value, null);
                    break;
                case "2.16.840.1.113733.1.9.5":
                    reply.SenderNonce = new AsnReader(value, AsnEncodingRules.DER).ReadOctetString();
                    break;
                case "2.16.840.1.113733.1.9.6":
                    reply.RecipientNonce = new AsnReader(value, AsnEncodingRules.DER).ReadOctetString();
                    break;
            }
        }
        if (reply.PkiStatus == "0" && requesterKey is not null && requester is not null)
        {
            var envelope = new EnvelopedCms();
            envelope.Decode(cms.ContentInfo.Content);
            reply.ContentCipher = envelope.ContentEncryptionAlgorithm.Oid.Value;
            envelope.Decrypt(envelope.RecipientInfos[0], requesterKey);
            var degenerate = new SignedCms();
            degenerate.Decode(envelope.ContentInfo.Content);
            reply.Certificates.AddRange(degenerate.Certificates.Cast<X509Certificate2>());
            reply.ReadCrls(envelope.ContentInfo.Content);
        }
        return reply;
    }

    private void ReadCrls(byte[] degenerate)
    {
        var contentInfo = new AsnReader(degenerate, AsnEncodingRules.BER).ReadSequence();
        contentInfo.ReadObjectIdentifier();
        var signedData = contentInfo.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadSequence();
        signedData.ReadInteger();
        signedData.ReadSetOf();
        signedData.ReadSequence();
        while (signedData.HasData)
        {
            var tag = signedData.PeekTag();
            if (tag.HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 1)))
            {
                var crls = signedData.ReadSetOf(skipSortOrderValidation: true, new Asn1Tag(TagClass.ContextSpecific, 1));
                while (crls.HasData)
                {
                    var crl = crls.ReadEncodedValue().ToArray();
                    FirstCrl ??= crl;
                    CrlCount++;
                }
            }
            else
            {
                signedData.ReadEncodedValue();
            }
        }
    }

    private static string Text(byte[] value, List<UniversalTagNumber>? tags)
    {
        var reader = new AsnReader(value, AsnEncodingRules.DER);
        var tag = (UniversalTagNumber)reader.PeekTag().TagValue;
        tags?.Add(tag);
        return reader.ReadCharacterString(tag);
    }
}
