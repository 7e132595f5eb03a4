using AmiPki.Core.Asn1;

namespace AmiPki.Core.Lint.Rfc5280;

/// <summary>RFC 5280 §4.2.1.6: with an empty subject, the SAN is present and critical.</summary>
public sealed class EmptySubjectNeedsCriticalSanLint : ICertificateLint
{
    public string Name => "rfc5280.empty-subject-critical-san";

    public string? Check(LintTarget certificate, LintContext context)
    {
        if (certificate.Subject.Count > 0)
        {
            return null;
        }
        return certificate.Find(Oids.SubjectAltName) is { Critical: true } ? null : "the subject is empty and the SAN is missing or not critical";
    }
}
