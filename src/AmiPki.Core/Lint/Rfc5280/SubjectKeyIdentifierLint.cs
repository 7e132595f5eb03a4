using AmiPki.Core.Asn1;

namespace AmiPki.Core.Lint.Rfc5280;

/// <summary>RFC 5280 §4.2.1.2: SKI present (DLMS requires it too) and non-critical.</summary>
public sealed class SubjectKeyIdentifierLint : ICertificateLint
{
    public string Name => "rfc5280.subject-key-identifier";

    public string? Check(LintTarget certificate, LintContext context) => certificate.Find(Oids.SubjectKeyIdentifier) switch
    {
        null => "the subject key identifier is missing",
        { Critical: true } => "the subject key identifier must not be critical",
        _ => null,
    };
}
