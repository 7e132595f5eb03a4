using AmiPki.Core.Issuance;
using AmiPki.Core.Profiles;

namespace AmiPki.Core.Policy;

/// <summary>One policy check on a parsed request against its profile; throws <see cref="IssuanceRefusal"/> on violation.</summary>
public interface IRequestRule
{
    void Check(CertificationRequest csr, IReadOnlyList<SubjectAltName> subjectAltNames, CertificateProfile profile, EnrollmentRequest request);
}
