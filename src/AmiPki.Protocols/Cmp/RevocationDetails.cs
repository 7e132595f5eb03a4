using System.Formats.Asn1;
using System.Security.Cryptography;
using AmiPki.Core.Revocation;

namespace AmiPki.Protocols.Cmp;

/// <summary>
/// The one RevDetails of an rr body (RFC 4210 §5.3.9, RFC 9483 §4.2): the certificate named by issuer and serial in
/// certDetails, and the CRLReason from crlEntryDetails (unspecified when absent).
/// </summary>
public sealed class RevocationDetails
{
    private RevocationDetails(byte[]? issuerDer, string? serialHex, RevocationReason reason)
    {
        IssuerDer = issuerDer;
        SerialHex = serialHex;
        Reason = reason;
    }

    public byte[]? IssuerDer { get; }

    public string? SerialHex { get; }

    public RevocationReason Reason { get; }

    /// <summary>Reads RevReqContent ::= SEQUENCE OF RevDetails, requiring exactly one entry (RFC 9483 §4.2).</summary>
    public static RevocationDetails Read(ReadOnlyMemory<byte> der)
    {
        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.DER);
            var content = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            var details = content.ReadSequence();
            if (content.HasData)
            {
                throw new CmpFormatException("more than one RevDetails (RFC 9483 §4.2)");
            }
            var template = CertTemplateFields.Read(details.ReadSequence());
            var reason = RevocationReason.Unspecified;
            if (details.HasData)
            {
                var extensions = details.ReadSequence();
                while (extensions.HasData)
                {
                    var extension = extensions.ReadSequence();
                    var oid = extension.ReadObjectIdentifier();
                    if (extension.PeekTag() == Asn1Tag.Boolean)
                    {
                        extension.ReadBoolean();
                    }
                    var value = extension.ReadOctetString();
                    if (oid == CmpOids.CrlReason)
                    {
                        var code = new AsnReader(value, AsnEncodingRules.DER).ReadEnumeratedBytes();
                        reason = code.Length == 1 && Enum.IsDefined((RevocationReason)code.Span[0]) ? (RevocationReason)code.Span[0]
                            : throw new CmpFormatException("unknown CRLReason");
                    }
                }
            }
            details.ThrowIfNotEmpty();
            return new RevocationDetails(template.IssuerDer, template.SerialHex, reason);
        }
        catch (AsnContentException e)
        {
            throw new CmpFormatException($"not a DER RevReqContent: {e.Message}", e);
        }
        catch (CryptographicException e)
        {
            throw new CmpFormatException($"not a DER RevReqContent: {e.Message}", e);
        }
    }
}
