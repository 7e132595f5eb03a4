using System.Formats.Asn1;
using System.Security.Cryptography;

namespace AmiPki.Protocols.Cmp;

/// <summary>The infoTypes asked for in a genm body (GenMsgContent ::= SEQUENCE OF InfoTypeAndValue, RFC 4210 §5.3.19).</summary>
public static class InfoTypeRequest
{
    public const int MaxEntries = 16;

    public static IReadOnlyList<string> ReadAll(ReadOnlyMemory<byte> der)
    {
        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.DER);
            var content = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            var types = new List<string>();
            while (content.HasData)
            {
                if (types.Count == MaxEntries)
                {
                    throw new CmpFormatException($"more than {MaxEntries} InfoTypeAndValue entries");
                }
                var info = content.ReadSequence();
                types.Add(info.ReadObjectIdentifier());
                while (info.HasData)
                {
                    info.ReadEncodedValue();
                }
            }
            return types;
        }
        catch (AsnContentException e)
        {
            throw new CmpFormatException($"not a DER GenMsgContent: {e.Message}", e);
        }
        catch (CryptographicException e)
        {
            throw new CmpFormatException($"not a DER GenMsgContent: {e.Message}", e);
        }
    }
}
