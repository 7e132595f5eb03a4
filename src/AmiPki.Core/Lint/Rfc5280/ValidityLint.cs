namespace AmiPki.Core.Lint.Rfc5280;

/// <summary>RFC 5280 §4.1.2.5 and §6.1.3: notBefore before notAfter, and inside the issuer's validity.</summary>
public sealed class ValidityLint : ICertificateLint
{
    public string Name => "rfc5280.validity";

    public string? Check(LintTarget certificate, LintContext context)
    {
        if (certificate.NotAfter <= certificate.NotBefore)
        {
            return "notAfter is not after notBefore";
        }
        if (certificate.NotBefore < context.Issuer.NotBefore || certificate.NotAfter > context.Issuer.NotAfter)
        {
            return "the validity is not inside the issuer's validity";
        }
        return null;
    }
}
