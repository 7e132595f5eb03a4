using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Asn1;

namespace AmiPki.Core.Lint.Rfc5280;

/// <summary>RFC 5280 §4.2.1.9: an end-entity certificate is not a CA.</summary>
public sealed class BasicConstraintsLint : ICertificateLint
{
    public string Name => "rfc5280.basic-constraints";

    public string? Check(LintTarget certificate, LintContext context)
    {
        if (certificate.Find(Oids.BasicConstraints) is not { } extension)
        {
            return "basic constraints are missing";
        }
        var constraints = new X509BasicConstraintsExtension(new AsnEncodedData(Oids.BasicConstraints, extension.Value), extension.Critical);
        return constraints.CertificateAuthority ? "an end-entity certificate asserts cA=TRUE" : null;
    }
}
