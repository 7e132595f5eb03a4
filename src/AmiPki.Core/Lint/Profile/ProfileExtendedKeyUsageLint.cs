using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Asn1;
using AmiPki.Core.Profiles;

namespace AmiPki.Core.Lint.Profile;

/// <summary>The extended key usages are exactly the profile's (absent when it names none).</summary>
public sealed class ProfileExtendedKeyUsageLint : ICertificateLint
{
    public string Name => "profile.extended-key-usage";

    public string? Check(LintTarget certificate, LintContext context)
    {
        var expected = context.Profile.ExtendedKeyUsage.Select(KeyUsageNames.ToOid).Order(StringComparer.Ordinal).ToList();
        var extension = certificate.Find(Oids.ExtendedKeyUsage);
        if (extension is null)
        {
            return expected.Count == 0 ? null : "extended key usage is missing";
        }
        var eku = new X509EnhancedKeyUsageExtension(new AsnEncodedData(extension.Value), extension.Critical);
        var actual = eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value!).Order(StringComparer.Ordinal).ToList();
        return actual.SequenceEqual(expected) ? null : $"extended key usage is {string.Join(",", actual)}, the profile says {string.Join(",", expected)}";
    }
}
