using System.Formats.Asn1;

namespace AmiPki.Protocols.Cmp;

/// <summary>
/// The fields of a CRMF CertTemplate (RFC 4211 §5) the adapter uses. CRMF tags are IMPLICIT, except that issuer [3]
/// and subject [5] wrap a Name CHOICE and so are effectively explicit (PROTOCOLS.md §0.4). publicKey [6] and
/// extensions [9] are returned re-tagged as universal SEQUENCEs, ready for the core.
/// </summary>
public sealed class CertTemplateFields
{
    private CertTemplateFields() { }

    /// <summary>DER Name, or null when absent.</summary>
    public byte[]? SubjectDer { get; private set; }

    /// <summary>DER Name of the issuer, or null when absent.</summary>
    public byte[]? IssuerDer { get; private set; }

    /// <summary>Upper-case hex of the serialNumber INTEGER content, or null.</summary>
    public string? SerialHex { get; private set; }

    /// <summary>DER SubjectPublicKeyInfo (universal SEQUENCE tag), or null when absent (central key generation).</summary>
    public byte[]? PublicKeyDer { get; private set; }

    /// <summary>DER Extensions (universal SEQUENCE tag), or null.</summary>
    public byte[]? ExtensionsDer { get; private set; }

    internal static CertTemplateFields Read(AsnReader template)
    {
        var fields = new CertTemplateFields();
        while (template.HasData)
        {
            var tag = template.PeekTag();
            if (tag.TagClass != TagClass.ContextSpecific)
            {
                throw new CmpFormatException($"unexpected CertTemplate field {tag}");
            }
            switch (tag.TagValue)
            {
                case 1:
                    fields.SerialHex = Convert.ToHexString(template.ReadIntegerBytes(tag).Span);
                    break;
                case 3:
                    fields.IssuerDer = ReadExplicitName(template, tag);
                    break;
                case 5:
                    fields.SubjectDer = ReadExplicitName(template, tag);
                    break;
                case 6:
                    fields.PublicKeyDer = Retag(template.ReadEncodedValue());
                    break;
                case 9:
                    fields.ExtensionsDer = Retag(template.ReadEncodedValue());
                    break;
                case 0 or 2 or 4 or 7 or 8:
                    // version, signingAlg, validity (the profile decides), issuerUID, subjectUID: ignored (RFC 9483 §4.1.1).
                    template.ReadEncodedValue();
                    break;
                default:
                    throw new CmpFormatException($"unknown CertTemplate field [{tag.TagValue}]");
            }
        }
        return fields;
    }

    private static byte[] ReadExplicitName(AsnReader template, Asn1Tag tag)
    {
        var wrapper = template.ReadSequence(tag);
        var name = wrapper.ReadEncodedValue().ToArray();
        wrapper.ThrowIfNotEmpty();
        return name;
    }

    /// <summary>Replaces an IMPLICIT [n] constructed tag (one byte) with the universal SEQUENCE tag it stands for.</summary>
    private static byte[] Retag(ReadOnlyMemory<byte> encoded)
    {
        var copy = encoded.ToArray();
        if ((copy[0] & 0x1F) == 0x1F)
        {
            throw new CmpFormatException("unexpected multi-byte tag in CertTemplate");
        }
        copy[0] = 0x30;
        return copy;
    }
}
