using AmiPki.Core.Asn1;
using AmiPki.Core.Issuance;
using AmiPki.Core.Profiles;

namespace AmiPki.Core.Policy;

/// <summary>The subject DN follows the profile's <see cref="SubjectRule"/>.</summary>
public sealed class SubjectNameRule : IRequestRule
{
    public void Check(CertificationRequest csr, IReadOnlyList<SubjectAltName> subjectAltNames, CertificateProfile profile, EnrollmentRequest request)
    {
        switch (profile.Subject)
        {
            case SubjectRule.DlmsSystemTitle:
                CheckSystemTitle(csr, profile, request);
                break;
            case SubjectRule.CommonNameRequired:
                if (string.IsNullOrWhiteSpace(csr.CommonName))
                {
                    throw Violation(profile, "the subject must carry a common name (CN)");
                }
                break;
            case SubjectRule.Any:
                if (csr.Subject.Count == 0 && subjectAltNames.Count == 0)
                {
                    throw Violation(profile, "an empty subject needs a subject alternative name (RFC 5280 §4.2.1.6)");
                }
                break;
        }
        if (csr.Subject.Count(a => a.Oid == Oids.CommonName) > 1)
        {
            throw Violation(profile, "the subject has more than one CN");
        }
    }

    /// <summary>IEC 62056-5-3: the meter's subject is CN = its 8-byte system title, 16 upper-case hex digits.</summary>
    private static void CheckSystemTitle(CertificationRequest csr, CertificateProfile profile, EnrollmentRequest request)
    {
        var cn = csr.CommonName;
        if (csr.Subject.Count != 1 || cn is null)
        {
            throw Violation(profile, "the subject must be exactly CN=<system title> (16 upper-case hex digits)");
        }
        if (!IsSystemTitle(cn))
        {
            throw Violation(profile, $"CN '{Printable(cn)}' is not a DLMS system title (8 bytes as 16 upper-case hex digits)");
        }
        if (request.Device?.SystemTitle is { } registered && !string.Equals(registered, cn, StringComparison.Ordinal))
        {
            throw Violation(profile, $"CN {cn} is not the system title {registered} registered for this device");
        }
    }

    public static bool IsSystemTitle(string value) => value.Length == 16 && value.All(c => char.IsAsciiDigit(c) || c is >= 'A' and <= 'F');

    private static string Printable(string value) => value.Length > 40 ? value[..40] + "…" : value;

    private static IssuanceRefusal Violation(CertificateProfile profile, string reason) =>
        new(RefusalKind.ProfileViolation, $"profile {profile.Name}: {reason}");
}
