using System.Formats.Asn1;
using System.Net;
using AmiPki.Core.Asn1;

namespace AmiPki.Core.Issuance;

/// <summary>One GeneralName of a SAN (RFC 5280 §4.2.1.6), with its profile kind (dns, ip, uri, email, hardwareModuleName).</summary>
public sealed record SubjectAltName(string Kind, string Value)
{
    private const int MaxNames = 64;

    /// <summary>Parses a DER GeneralNames; names of other kinds are returned with their tag as kind, for the policy to refuse.</summary>
    public static IReadOnlyList<SubjectAltName> ParseGeneralNames(ReadOnlyMemory<byte> der)
    {
        try
        {
            var reader = new AsnReader(der, AsnEncodingRules.DER);
            var names = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            var result = new List<SubjectAltName>();
            while (names.HasData)
            {
                if (result.Count == MaxNames)
                {
                    throw new IssuanceRefusal(RefusalKind.MalformedRequest, $"more than {MaxNames} subject alternative names");
                }
                var tag = names.PeekTag();
                result.Add(tag.TagClass != TagClass.ContextSpecific ? throw new AsnContentException("GeneralName must be context-tagged") : tag.TagValue switch
                {
                    1 => new SubjectAltName("email", names.ReadCharacterString(UniversalTagNumber.IA5String, tag)),
                    2 => new SubjectAltName("dns", names.ReadCharacterString(UniversalTagNumber.IA5String, tag)),
                    6 => new SubjectAltName("uri", names.ReadCharacterString(UniversalTagNumber.IA5String, tag)),
                    7 => new SubjectAltName("ip", ReadAddress(names.ReadOctetString(tag))),
                    0 => ReadOtherName(names.ReadSequence(tag)),
                    _ => new SubjectAltName($"[{tag.TagValue}]", Convert.ToHexString(names.ReadEncodedValue().Span)),
                });
            }
            if (result.Count == 0)
            {
                throw new IssuanceRefusal(RefusalKind.MalformedRequest, "the subject alternative name extension is empty (RFC 5280 §4.2.1.6)");
            }
            return result;
        }
        catch (AsnContentException e)
        {
            throw new IssuanceRefusal(RefusalKind.MalformedRequest, $"the subject alternative name is not valid DER: {e.Message}");
        }
    }

    private static string ReadAddress(byte[] bytes) => bytes.Length is 4 or 16
        ? new IPAddress(bytes).ToString()
        : throw new AsnContentException("iPAddress must be 4 or 16 octets");

    private static SubjectAltName ReadOtherName(AsnReader otherName)
    {
        var typeId = otherName.ReadObjectIdentifier();
        var value = otherName.ReadEncodedValue();
        otherName.ThrowIfNotEmpty();
        return typeId == Oids.HardwareModuleName
            ? new SubjectAltName("hardwareModuleName", Convert.ToHexString(value.Span))
            : new SubjectAltName($"otherName:{typeId}", Convert.ToHexString(value.Span));
    }
}
