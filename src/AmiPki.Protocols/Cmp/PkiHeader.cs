using System.Formats.Asn1;

namespace AmiPki.Protocols.Cmp;

/// <summary>
/// A decoded PKIHeader (RFC 4210 §5.1.1). The CMP module uses EXPLICIT tags, so every optional field is a
/// context-specific constructed wrapper around its universal encoding.
/// </summary>
public sealed class PkiHeader
{
    private const int MaxGeneralInfo = 16;
    private const int MaxOctets = 128;

    private PkiHeader() { }

    /// <summary>pvno: 2 (cmp2000) or 3 (cmp2021, RFC 9480 §2.20).</summary>
    public int Version { get; private set; }

    /// <summary>The sender GeneralName as encoded, echoed as the response's recipient.</summary>
    public ReadOnlyMemory<byte> SenderDer { get; private set; }

    public DateTimeOffset? MessageTime { get; private set; }

    /// <summary>The whole protectionAlg AlgorithmIdentifier, or empty when the message is unprotected.</summary>
    public ReadOnlyMemory<byte> ProtectionAlgorithmDer { get; private set; }

    public string? ProtectionAlgorithmOid { get; private set; }

    public byte[]? SenderKid { get; private set; }

    public byte[]? TransactionId { get; private set; }

    public byte[]? SenderNonce { get; private set; }

    public byte[]? RecipNonce { get; private set; }

    /// <summary>generalInfo carries id-it-implicitConfirm (RFC 4210 §5.1.1.1).</summary>
    public bool ImplicitConfirm { get; private set; }

    internal static PkiHeader Read(AsnReader header)
    {
        var result = new PkiHeader();
        if (!header.TryReadInt32(out var version) || version is < 1 or > 3)
        {
            throw new CmpFormatException("pvno must be 2 or 3 (RFC 4210 §5.1.1, RFC 9480 §2.20)");
        }
        result.Version = version;
        result.SenderDer = header.ReadEncodedValue();
        header.ReadEncodedValue(); // recipient GeneralName
        while (header.HasData)
        {
            var tag = header.PeekTag();
            if (tag.TagClass != TagClass.ContextSpecific || !tag.IsConstructed)
            {
                throw new CmpFormatException($"unexpected PKIHeader field {tag}");
            }
            var field = header.ReadSequence(tag);
            switch (tag.TagValue)
            {
                case 0:
                    result.MessageTime = field.ReadGeneralizedTime();
                    break;
                case 1:
                    result.ProtectionAlgorithmDer = field.PeekEncodedValue();
                    result.ProtectionAlgorithmOid = field.ReadSequence().ReadObjectIdentifier();
                    break;
                case 2:
                    result.SenderKid = ReadOctets(field, "senderKID");
                    break;
                case 3:
                    ReadOctets(field, "recipKID");
                    break;
                case 4:
                    result.TransactionId = ReadOctets(field, "transactionID");
                    break;
                case 5:
                    result.SenderNonce = ReadOctets(field, "senderNonce");
                    break;
                case 6:
                    result.RecipNonce = ReadOctets(field, "recipNonce");
                    break;
                case 7:
                    field.ReadEncodedValue(); // freeText
                    break;
                case 8:
                    result.ReadGeneralInfo(field.ReadSequence());
                    break;
                default:
                    throw new CmpFormatException($"unknown PKIHeader field [{tag.TagValue}]");
            }
            field.ThrowIfNotEmpty();
        }
        return result;
    }

    private void ReadGeneralInfo(AsnReader infos)
    {
        var count = 0;
        while (infos.HasData)
        {
            if (++count > MaxGeneralInfo)
            {
                throw new CmpFormatException($"generalInfo has more than {MaxGeneralInfo} entries");
            }
            var info = infos.ReadSequence();
            if (info.ReadObjectIdentifier() == CmpOids.ImplicitConfirm)
            {
                ImplicitConfirm = true;
            }
            while (info.HasData)
            {
                info.ReadEncodedValue();
            }
        }
    }

    private static byte[] ReadOctets(AsnReader field, string name)
    {
        var value = field.ReadOctetString();
        if (value.Length is 0 or > MaxOctets)
        {
            throw new CmpFormatException($"{name} must be 1..{MaxOctets} bytes");
        }
        return value;
    }
}
