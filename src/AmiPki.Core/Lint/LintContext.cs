using AmiPki.Core.Authorities;
using AmiPki.Core.Profiles;

namespace AmiPki.Core.Lint;

/// <summary>What a lint may compare the certificate with: the issuer and the profile it was built from.</summary>
public sealed record LintContext(CertificateAuthority Issuer, CertificateProfile Profile);
