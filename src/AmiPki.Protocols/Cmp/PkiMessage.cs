using System.Formats.Asn1;
using System.Security.Cryptography;

namespace AmiPki.Protocols.Cmp;

/// <summary>
/// A decoded PKIMessage (RFC 4210 §5.1): header, body (kept as its DER content, decoded on demand by the body readers),
/// protection and extraCerts. Accepts DER only and at most <see cref="MaxExtraCerts"/> extra certificates.
/// </summary>
public sealed class PkiMessage
{
    public const int MaxExtraCerts = 8;

    private PkiMessage(PkiHeader header, PkiBodyType bodyType, ReadOnlyMemory<byte> bodyContent, ReadOnlyMemory<byte> protectedPart,
        byte[]? protection, IReadOnlyList<byte[]> extraCerts)
    {
        Header = header;
        BodyType = bodyType;
        BodyContent = bodyContent;
        ProtectedPart = protectedPart;
        Protection = protection;
        ExtraCerts = extraCerts;
    }

    public PkiHeader Header { get; }

    public PkiBodyType BodyType { get; }

    /// <summary>The DER of the value inside the body's EXPLICIT tag.</summary>
    public ReadOnlyMemory<byte> BodyContent { get; }

    /// <summary>DER ProtectedPart ::= SEQUENCE { header, body } (RFC 4210 §5.1.3): what the protection covers.</summary>
    public ReadOnlyMemory<byte> ProtectedPart { get; }

    public byte[]? Protection { get; }

    /// <summary>DER certificates; for signature protection the signer's comes first (RFC 9483 §3.3).</summary>
    public IReadOnlyList<byte[]> ExtraCerts { get; }

    /// <summary>Decodes untrusted bytes; every failure is a <see cref="CmpFormatException"/>.</summary>
    public static PkiMessage Decode(ReadOnlyMemory<byte> der)
    {
        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.DER);
            var message = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            var headerDer = message.PeekEncodedValue();
            var header = PkiHeader.Read(message.ReadSequence());
            var bodyDer = message.PeekEncodedValue();
            var bodyTag = message.PeekTag();
            if (bodyTag.TagClass != TagClass.ContextSpecific || !bodyTag.IsConstructed || !Enum.IsDefined((PkiBodyType)bodyTag.TagValue))
            {
                throw new CmpFormatException($"unsupported PKIBody {bodyTag}");
            }
            var body = message.ReadSequence(bodyTag);
            var content = body.ReadEncodedValue();
            body.ThrowIfNotEmpty();

            byte[]? protection = null;
            var extraCerts = new List<byte[]>();
            var protectionTag = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
            if (message.HasData && message.PeekTag() == protectionTag)
            {
                var wrapper = message.ReadSequence(protectionTag);
                protection = wrapper.ReadBitString(out var unused);
                wrapper.ThrowIfNotEmpty();
                if (unused != 0)
                {
                    throw new CmpFormatException("the protection BIT STRING has unused bits");
                }
            }
            var extraTag = new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true);
            if (message.HasData && message.PeekTag() == extraTag)
            {
                var wrapper = message.ReadSequence(extraTag);
                var certificates = wrapper.ReadSequence();
                wrapper.ThrowIfNotEmpty();
                while (certificates.HasData)
                {
                    if (extraCerts.Count == MaxExtraCerts)
                    {
                        throw new CmpFormatException($"more than {MaxExtraCerts} extraCerts");
                    }
                    extraCerts.Add(certificates.ReadEncodedValue().ToArray());
                }
            }
            message.ThrowIfNotEmpty();
            return new PkiMessage(header, (PkiBodyType)bodyTag.TagValue, content, ProtectedPartOf(headerDer.Span, bodyDer.Span), protection, extraCerts);
        }
        catch (AsnContentException e)
        {
            throw new CmpFormatException($"not a DER PKIMessage: {e.Message}", e);
        }
        catch (CryptographicException e)
        {
            throw new CmpFormatException($"not a DER PKIMessage: {e.Message}", e);
        }
    }

    /// <summary>ProtectedPart ::= SEQUENCE { header PKIHeader, body PKIBody } (RFC 4210 §5.1.3).</summary>
    internal static byte[] ProtectedPartOf(ReadOnlySpan<byte> headerDer, ReadOnlySpan<byte> bodyDer) => DerFraming.Wrap(0x30, headerDer, bodyDer);
}
