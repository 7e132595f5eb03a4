using AmiPki.Core.Asn1;
using AmiPki.Core.Policy;
using AmiPki.Core.Profiles;

namespace AmiPki.Core.Lint.Profile;

/// <summary>IEC 62056-5-3: a DLMS meter certificate's subject is exactly CN = system title (16 upper-case hex digits).</summary>
public sealed class DlmsSystemTitleLint : ICertificateLint
{
    public string Name => "dlms.subject-system-title";

    public string? Check(LintTarget certificate, LintContext context)
    {
        if (context.Profile.Subject != SubjectRule.DlmsSystemTitle)
        {
            return null;
        }
        return certificate.Subject is [{ Oid: Oids.CommonName, Value: { } cn }] && SubjectNameRule.IsSystemTitle(cn)
            ? null
            : "the subject is not exactly CN=<16 upper-case hex digits>";
    }
}
