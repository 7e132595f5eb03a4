using System.Formats.Asn1;
using System.Numerics;
using AmiPki.Core.Revocation;

namespace AmiPki.Protocols.Tests.Crl;

/// <summary>Reads a DER CRL (RFC 5280 §5.1) the way a relying party would, independently of the encoder.</summary>
public sealed record CrlReader(
    int Version,
    DateTimeOffset ThisUpdate,
    DateTimeOffset? NextUpdate,
    bool HasRevokedCertificates,
    IReadOnlyList<CrlReader.Entry> Entries,
    IReadOnlyDictionary<string, (bool Critical, byte[] Value)> Extensions,
    byte[] Tbs,
    byte[] Signature)
{
    public sealed record Entry(string SerialHex, DateTimeOffset RevokedAt, RevocationReason? Reason, DateTimeOffset? InvalidityDate);

    public BigInteger CrlNumber => new AsnReader(Extensions["2.5.29.20"].Value, AsnEncodingRules.DER).ReadInteger();

    public BigInteger? DeltaBase => Extensions.TryGetValue("2.5.29.27", out var delta) ? new AsnReader(delta.Value, AsnEncodingRules.DER).ReadInteger() : null;

    public static CrlReader Read(byte[] der)
    {
        var outer = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        var tbsBytes = outer.PeekEncodedValue().ToArray();
        var tbs = outer.ReadSequence();
        outer.ReadSequence();
        var signature = outer.ReadBitString(out _);
        var version = (int)tbs.ReadInteger();
        tbs.ReadSequence();
        tbs.ReadSequence();
        var thisUpdate = ReadTime(tbs);
        DateTimeOffset? nextUpdate = tbs.HasData && IsTime(tbs.PeekTag()) ? ReadTime(tbs) : null;
        var entries = new List<Entry>();
        var hasList = false;
        if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
        {
            hasList = true;
            var list = tbs.ReadSequence();
            while (list.HasData)
            {
                var entry = list.ReadSequence();
                var serial = Convert.ToHexString(entry.ReadIntegerBytes().Span);
                var revokedAt = ReadTime(entry);
                RevocationReason? reason = null;
                DateTimeOffset? invalidity = null;
                if (entry.HasData)
                {
                    foreach (var (oid, (_, value)) in ReadExtensions(entry.ReadSequence()))
                    {
                        if (oid == "2.5.29.21")
                        {
                            reason = new AsnReader(value, AsnEncodingRules.DER).ReadEnumeratedValue<RevocationReason>();
                        }
                        else if (oid == "2.5.29.24")
                        {
                            invalidity = new AsnReader(value, AsnEncodingRules.DER).ReadGeneralizedTime();
                        }
                    }
                }
                entries.Add(new Entry(serial, revokedAt, reason, invalidity));
            }
        }
        var extensions = ReadExtensions(tbs.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)).ReadSequence());
        tbs.ThrowIfNotEmpty();
        return new CrlReader(version, thisUpdate, nextUpdate, hasList, entries, extensions, tbsBytes, signature);
    }

    private static Dictionary<string, (bool, byte[])> ReadExtensions(AsnReader sequence)
    {
        var extensions = new Dictionary<string, (bool, byte[])>();
        while (sequence.HasData)
        {
            var extension = sequence.ReadSequence();
            var oid = extension.ReadObjectIdentifier();
            var critical = extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean) && extension.ReadBoolean();
            extensions.Add(oid, (critical, extension.ReadOctetString()));
        }
        return extensions;
    }

    private static bool IsTime(Asn1Tag tag) => tag.HasSameClassAndValue(Asn1Tag.UtcTime) || tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime);

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();
}
