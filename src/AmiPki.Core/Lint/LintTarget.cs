using System.Formats.Asn1;
using AmiPki.Core.Issuance;

namespace AmiPki.Core.Lint;

/// <summary>
/// A certificate as the linter sees it: decoded again from the DER of the throwaway-signed copy, independently of the
/// builder's own model, so a builder bug shows up as a lint failure.
/// </summary>
public sealed class LintTarget
{
    private LintTarget() { }

    public int Version { get; private set; }

    public byte[] Serial { get; private set; } = [];

    public byte[] TbsSignatureAlgorithm { get; private set; } = [];

    public byte[] OuterSignatureAlgorithm { get; private set; } = [];

    public byte[] IssuerName { get; private set; } = [];

    public DateTimeOffset NotBefore { get; private set; }

    public DateTimeOffset NotAfter { get; private set; }

    public IReadOnlyList<NameAttribute> Subject { get; private set; } = [];

    public IReadOnlyList<LintExtension> Extensions { get; private set; } = [];

    public LintExtension? Find(string oid) => Extensions.FirstOrDefault(e => e.Oid == oid);

    public static LintTarget Decode(ReadOnlyMemory<byte> certificate)
    {
        var target = new LintTarget();
        var outer = new AsnReader(certificate, AsnEncodingRules.DER);
        var cert = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        var tbs = cert.ReadSequence();
        target.OuterSignatureAlgorithm = cert.ReadEncodedValue().ToArray();
        cert.ReadBitString(out _);
        cert.ThrowIfNotEmpty();

        var versionTag = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
        if (tbs.PeekTag() == versionTag)
        {
            var version = tbs.ReadSequence(versionTag);
            target.Version = (int)version.ReadInteger() + 1;
        }
        else
        {
            target.Version = 1;
        }
        target.Serial = tbs.ReadIntegerBytes().ToArray();
        target.TbsSignatureAlgorithm = tbs.ReadEncodedValue().ToArray();
        target.IssuerName = tbs.ReadEncodedValue().ToArray();
        var validity = tbs.ReadSequence();
        target.NotBefore = ReadTime(validity);
        target.NotAfter = ReadTime(validity);
        target.Subject = CertificationRequest.ReadName(tbs.ReadSequence());
        tbs.ReadSequence(); // subjectPublicKeyInfo
        var extensions = new List<LintExtension>();
        var extensionsTag = new Asn1Tag(TagClass.ContextSpecific, 3, isConstructed: true);
        if (tbs.HasData && tbs.PeekTag() == extensionsTag)
        {
            var list = tbs.ReadSequence(extensionsTag).ReadSequence();
            while (list.HasData)
            {
                var extension = list.ReadSequence();
                var oid = extension.ReadObjectIdentifier();
                var critical = extension.PeekTag() == Asn1Tag.Boolean && extension.ReadBoolean();
                extensions.Add(new LintExtension(oid, critical, extension.ReadOctetString()));
            }
        }
        target.Extensions = extensions;
        return target;
    }

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag() == Asn1Tag.UtcTime ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();
}
