using AmiPki.Core.Asn1;

namespace AmiPki.Core.Issuance;

/// <summary>Formats parsed name attributes for records and audit entries (RFC 4514 short names where known).</summary>
public static class DistinguishedNameFormatter
{
    private static readonly Dictionary<string, string> ShortNames = new(StringComparer.Ordinal)
    {
        [Oids.CommonName] = "CN",
        [Oids.SerialNumberAttribute] = "serialNumber",
        ["2.5.4.6"] = "C",
        ["2.5.4.7"] = "L",
        ["2.5.4.8"] = "ST",
        ["2.5.4.10"] = "O",
        ["2.5.4.11"] = "OU",
        ["0.9.2342.19200300.100.1.25"] = "DC",
    };

    public static string Format(IReadOnlyList<NameAttribute> attributes) => attributes.Count switch
    {
        0 => "",
        1 => Part(attributes[0]),
        _ => string.Join(",", attributes.Reverse().Select(Part)),
    };

    private static string Part(NameAttribute attribute) =>
        $"{ShortNames.GetValueOrDefault(attribute.Oid, attribute.Oid)}={attribute.Value ?? "#"}";
}
