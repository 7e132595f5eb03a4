using System.Formats.Asn1;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;

namespace AmiPki.Protocols.Scep;

/// <summary>
/// Decodes a pkiMessage (RFC 8894 §3.2): a CMS SignedData with exactly one signer whose signed attributes carry
/// transactionID, messageType and senderNonce, around an EnvelopedData. Anything that does not let a reply be addressed
/// is a <see cref="ScepFormatException"/>.
/// </summary>
public static class ScepMessageDecoder
{
    private const int MaxTransactionIdLength = 256;

    public static ScepRequest Decode(ReadOnlyMemory<byte> message)
    {
        var cms = new SignedCms();
        try
        {
            cms.Decode(message.Span);
        }
        catch (CryptographicException e)
        {
            throw new ScepFormatException($"the pkiMessage is not a CMS SignedData: {e.Message}", e);
        }
        if (cms.SignerInfos.Count != 1)
        {
            throw new ScepFormatException($"the pkiMessage has {cms.SignerInfos.Count} signers; RFC 8894 §3.2 requires exactly one");
        }
        var signer = cms.SignerInfos[0];
        var transactionId = ReadString(signer, ScepOids.TransactionId, "transactionID");
        if (transactionId.Length is 0 or > MaxTransactionIdLength)
        {
            throw new ScepFormatException($"the transactionID must be 1 to {MaxTransactionIdLength} characters (RFC 8894 §3.2.1.1)");
        }
        var messageTypeText = ReadString(signer, ScepOids.MessageType, "messageType");
        if (!int.TryParse(messageTypeText, NumberStyles.None, CultureInfo.InvariantCulture, out var messageType))
        {
            messageType = -1;
        }
        var senderNonce = ReadOctets(signer, ScepOids.SenderNonce) ?? [];
        if (senderNonce.Length == 0)
        {
            throw new ScepFormatException("the pkiMessage has no senderNonce (RFC 8894 §3.2.1.5)");
        }
        var content = cms.ContentInfo.Content;
        return new ScepRequest(messageType, transactionId, senderNonce, signer, SignerCertificate(signer), content);
    }

    /// <summary>The signer's certificate from the message's certificates, or null (then the signature cannot verify).</summary>
    private static X509Certificate2? SignerCertificate(SignerInfo signer)
    {
        try
        {
            return signer.Certificate;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static string ReadString(SignerInfo signer, string oid, string name)
    {
        var value = Attribute(signer, oid) ?? throw new ScepFormatException($"the pkiMessage has no {name} attribute (RFC 8894 §3.2.1)");
        try
        {
            var reader = new AsnReader(value, AsnEncodingRules.BER);
            var tag = reader.PeekTag();
            // RFC 8894 §3.2.1 says PrintableString; some clients send another string type: read any, write PrintableString.
            if (tag.TagClass != TagClass.Universal)
            {
                throw new ScepFormatException($"the {name} attribute is not a string");
            }
            var text = reader.ReadCharacterString((UniversalTagNumber)tag.TagValue);
            reader.ThrowIfNotEmpty();
            return text;
        }
        catch (Exception e) when (e is AsnContentException or ArgumentException)
        {
            throw new ScepFormatException($"the {name} attribute is not a valid string: {e.Message}", e);
        }
    }

    private static byte[]? ReadOctets(SignerInfo signer, string oid)
    {
        if (Attribute(signer, oid) is not { } value)
        {
            return null;
        }
        try
        {
            var reader = new AsnReader(value, AsnEncodingRules.BER);
            var octets = reader.ReadOctetString();
            reader.ThrowIfNotEmpty();
            return octets;
        }
        catch (AsnContentException e)
        {
            throw new ScepFormatException($"the attribute {oid} is not an OCTET STRING: {e.Message}", e);
        }
    }

    private static byte[]? Attribute(SignerInfo signer, string oid)
    {
        byte[]? found = null;
        foreach (var attribute in signer.SignedAttributes)
        {
            if (attribute.Oid.Value != oid)
            {
                continue;
            }
            if (found is not null || attribute.Values.Count != 1)
            {
                throw new ScepFormatException($"the attribute {oid} must appear once with one value");
            }
            found = attribute.Values[0].RawData;
        }
        return found;
    }
}
