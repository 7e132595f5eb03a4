using AmiPki.Core.Asn1;
using AmiPki.Core.Issuance;
using AmiPki.Core.Profiles;

namespace AmiPki.Core.Policy;

/// <summary>
/// A renewal keeps the identity: Subject and SubjectAltName identical to the certificate being renewed
/// (RFC 7030 §4.2.2; RFC 4210 §5.3.5 for kur).
/// </summary>
public sealed class RenewalIdentityRule : IRequestRule
{
    public void Check(CertificationRequest csr, IReadOnlyList<SubjectAltName> subjectAltNames, CertificateProfile profile, EnrollmentRequest request)
    {
        if (request.Renewing is not { } current)
        {
            return;
        }
        if (!current.SubjectDer.AsSpan().SequenceEqual(csr.SubjectDer.Span))
        {
            throw new IssuanceRefusal(RefusalKind.ProfileViolation,
                $"a renewal must keep the subject: the current certificate is '{current.Subject}'");
        }
        var currentSan = current.SubjectAltName ?? [];
        var requestedSan = csr.RequestedExtensions.GetValueOrDefault(Oids.SubjectAltName)?.Value ?? [];
        if (!currentSan.AsSpan().SequenceEqual(requestedSan))
        {
            throw new IssuanceRefusal(RefusalKind.ProfileViolation, "a renewal must keep the subject alternative names of the current certificate");
        }
    }
}
