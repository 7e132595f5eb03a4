using AmiPki.Core.Keys;
using FluentValidation;

namespace AmiPki.Core.Profiles;

/// <summary>The rules a profile file must meet before the CA starts; every failure names the field.</summary>
public sealed class CertificateProfileValidator : AbstractValidator<CertificateProfile>
{
    public CertificateProfileValidator()
    {
        RuleFor(p => p.Name).NotEmpty().Matches("^[a-z0-9][a-z0-9-]{0,62}$")
            .WithMessage("must be 1-63 lower-case letters, digits or '-'");
        RuleFor(p => p.Issuers).NotEmpty().WithMessage("must name at least one issuing CA");
        RuleForEach(p => p.Issuers).NotEmpty();
        RuleFor(p => p.KeyAlgorithms).NotEmpty().WithMessage("must allow at least one key algorithm");
        RuleFor(p => p.KeyUsage).NotEmpty().WithMessage("must name at least one key usage");
        RuleForEach(p => p.KeyUsage).Must(KeyUsageNames.KeyUsages.ContainsKey)
            .WithMessage((_, usage) => $"unknown key usage '{usage}' (allowed: {string.Join(", ", KeyUsageNames.KeyUsages.Keys)})");
        RuleFor(p => p.KeyUsage).Must(usages => usages.Distinct(StringComparer.Ordinal).Count() == usages.Count)
            .WithMessage("lists a key usage twice");
        RuleForEach(p => p.ExtendedKeyUsage).Must(e => KeyUsageNames.ExtendedKeyUsages.ContainsKey(e) || KeyUsageNames.IsDottedOid(e))
            .WithMessage((_, e) => $"unknown extended key usage '{e}' (a name such as clientAuth, or a dotted OID)");
        RuleForEach(p => p.SubjectAltNames).Must(KeyUsageNames.SubjectAltNameKinds.Contains)
            .WithMessage((_, kind) => $"unknown subject alternative name kind '{kind}' (allowed: {string.Join(", ", KeyUsageNames.SubjectAltNameKinds)})");
        RuleFor(p => p.SubjectAltNameRequired).Must((p, required) => !required || p.SubjectAltNames.Count > 0)
            .WithMessage("requires a SAN but allows no SAN kind");
        RuleFor(p => p.ValidityDays).InclusiveBetween(1, 36_500);
        RuleFor(p => p.RenewalWindowDays).GreaterThanOrEqualTo(0)
            .Must((p, window) => window < p.ValidityDays).WithMessage("must be shorter than validityDays");
        RuleFor(p => p.Authorization).NotEmpty()
            .WithMessage("declares no authorization rule: nobody could obtain it (default deny); name who may enroll over which protocol");
        RuleForEach(p => p.Authorization).SetValidator(new AuthorizationRuleValidator());
        RuleFor(p => p.Renewal.Successor).Must((p, successor) => successor != p.Name)
            .WithMessage("renewal.successor names the profile itself").OverridePropertyName("renewal.successor");

        // RFC 5480 §3: an EC key cannot encipher keys; RFC 4055: an RSA key cannot do key agreement.
        RuleFor(p => p.KeyUsage).Must((p, usages) => !usages.Contains("keyAgreement") || p.KeyAlgorithms.All(IsEc))
            .WithMessage("keyAgreement needs EC keys only, but the profile allows RSA");
        RuleFor(p => p.KeyUsage).Must((p, usages) => !(usages.Contains("keyEncipherment") || usages.Contains("dataEncipherment")) || p.KeyAlgorithms.All(a => !IsEc(a)))
            .WithMessage("keyEncipherment/dataEncipherment need RSA keys only, but the profile allows EC");
        RuleFor(p => p.KeyAlgorithms).Must(algorithms => algorithms.All(IsEc))
            .When(p => p.Subject == SubjectRule.DlmsSystemTitle)
            .WithMessage("a DLMS meter profile allows EC keys only (IEC 62056-5-3 Security Suites 1 and 2)");
        RuleFor(p => p.OcspNoCheck).Must((p, nocheck) => !nocheck || p.ExtendedKeyUsage.Contains("ocspSigning"))
            .WithMessage("ocspNoCheck is only for OCSP responders (extendedKeyUsage must contain ocspSigning)");
    }

    private static bool IsEc(KeyAlgorithm algorithm) => algorithm is KeyAlgorithm.EcP256 or KeyAlgorithm.EcP384 or KeyAlgorithm.EcP521;
}
