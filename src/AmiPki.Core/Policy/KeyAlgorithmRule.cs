using AmiPki.Core.Issuance;
using AmiPki.Core.Profiles;

namespace AmiPki.Core.Policy;

/// <summary>The CSR's key type and curve must be one the profile allows (e.g. DLMS Suite 1 meters: P-256 only).</summary>
public sealed class KeyAlgorithmRule : IRequestRule
{
    public void Check(CertificationRequest csr, IReadOnlyList<SubjectAltName> subjectAltNames, CertificateProfile profile, EnrollmentRequest request)
    {
        if (!profile.KeyAlgorithms.Contains(csr.KeyAlgorithm))
        {
            throw new IssuanceRefusal(RefusalKind.KeyNotAllowed,
                $"profile {profile.Name} does not allow {csr.KeyAlgorithm} keys (allowed: {string.Join(", ", profile.KeyAlgorithms)})");
        }
    }
}
