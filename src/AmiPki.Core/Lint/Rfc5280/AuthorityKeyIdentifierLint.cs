using System.Formats.Asn1;
using AmiPki.Core.Asn1;

namespace AmiPki.Core.Lint.Rfc5280;

/// <summary>RFC 5280 §4.2.1.1: AKI present, non-critical, keyIdentifier equal to the issuer's SKI.</summary>
public sealed class AuthorityKeyIdentifierLint : ICertificateLint
{
    public string Name => "rfc5280.authority-key-identifier";

    public string? Check(LintTarget certificate, LintContext context)
    {
        var extension = certificate.Find(Oids.AuthorityKeyIdentifier);
        if (extension is null)
        {
            return "the authority key identifier is missing";
        }
        if (extension.Critical)
        {
            return "the authority key identifier must not be critical";
        }
        var aki = new AsnReader(extension.Value, AsnEncodingRules.DER).ReadSequence();
        var keyIdTag = new Asn1Tag(TagClass.ContextSpecific, 0);
        if (!aki.HasData || aki.PeekTag() != keyIdTag)
        {
            return "the authority key identifier has no keyIdentifier";
        }
        return aki.ReadOctetString(keyIdTag).AsSpan().SequenceEqual(context.Issuer.SubjectKeyIdentifier)
            ? null
            : "the authority key identifier does not match the issuer's subject key identifier";
    }
}
