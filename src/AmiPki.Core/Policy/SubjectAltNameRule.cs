using AmiPki.Core.Issuance;
using AmiPki.Core.Profiles;

namespace AmiPki.Core.Policy;

/// <summary>Requested SANs must be of kinds the profile allows; a profile may require one.</summary>
public sealed class SubjectAltNameRule : IRequestRule
{
    public void Check(CertificationRequest csr, IReadOnlyList<SubjectAltName> subjectAltNames, CertificateProfile profile, EnrollmentRequest request)
    {
        var refused = subjectAltNames.FirstOrDefault(n => !profile.SubjectAltNames.Contains(n.Kind, StringComparer.Ordinal));
        if (refused is not null)
        {
            var allowed = profile.SubjectAltNames.Count == 0 ? "none" : string.Join(", ", profile.SubjectAltNames);
            throw new IssuanceRefusal(RefusalKind.ProfileViolation,
                $"profile {profile.Name}: subject alternative name of kind {refused.Kind} is not allowed (allowed: {allowed})");
        }
        if (profile.SubjectAltNameRequired && subjectAltNames.Count == 0)
        {
            throw new IssuanceRefusal(RefusalKind.ProfileViolation, $"profile {profile.Name}: a subject alternative name is required");
        }
        if (subjectAltNames.FirstOrDefault(n => n.Kind == "dns" && !IsHostName(n.Value)) is { } badDns)
        {
            throw new IssuanceRefusal(RefusalKind.ProfileViolation, $"profile {profile.Name}: '{badDns.Value}' is not a valid DNS name");
        }
    }

    private static bool IsHostName(string name) => name.Length is > 0 and <= 253
        && name.Split('.').All(label => label.Length is > 0 and <= 63 && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
            && label[0] != '-' && label[^1] != '-' || label == "*");
}
