using AmiPki.Core.Issuance;

namespace AmiPki.Core.Authorization;

/// <summary>Applies a grant's subject binding to the parsed request (the renewal identity is the core's <see cref="Policy.RenewalIdentityRule"/>).</summary>
internal static class SubjectBindingCheck
{
    public static void Check(AuthorizationGrant grant, CertificationRequest csr, string profileName)
    {
        if (grant.RequiredSystemTitle is { } title && (csr.Subject.Count != 1 || !string.Equals(csr.CommonName, title, StringComparison.Ordinal)))
        {
            throw new IssuanceRefusal(RefusalKind.NotAuthorized,
                $"this device is registered with system title {title}; profile {profileName} issues it only CN={title}, not '{DistinguishedNameFormatter.Format(csr.Subject)}'")
            { Rule = grant.Rule.Describe() };
        }
        if (grant.RequiredSubject is { } subject && !SubjectText.Same(subject, DistinguishedNameFormatter.Format(csr.Subject)))
        {
            throw new IssuanceRefusal(RefusalKind.NotAuthorized, $"this credential may only enroll the subject '{subject}'") { Rule = grant.Rule.Describe() };
        }
    }
}
