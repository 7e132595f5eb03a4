using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Asn1;

namespace AmiPki.Core.Lint.Rfc5280;

/// <summary>RFC 5280 §4.2.1.3: key usage present and critical, with at least one bit; no keyCertSign/cRLSign on an end entity.</summary>
public sealed class KeyUsageLint : ICertificateLint
{
    public string Name => "rfc5280.key-usage";

    public string? Check(LintTarget certificate, LintContext context)
    {
        var extension = certificate.Find(Oids.KeyUsage);
        if (extension is null)
        {
            return "key usage is missing";
        }
        if (!extension.Critical)
        {
            return "key usage must be critical";
        }
        var flags = new X509KeyUsageExtension(new AsnEncodedData(extension.Value), extension.Critical).KeyUsages;
        if (flags == X509KeyUsageFlags.None)
        {
            return "key usage has no bit set";
        }
        return (flags & (X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign)) != 0
            ? "an end-entity certificate must not assert keyCertSign or cRLSign"
            : null;
    }
}
