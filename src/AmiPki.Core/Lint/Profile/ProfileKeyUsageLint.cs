using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Asn1;
using AmiPki.Core.Profiles;

namespace AmiPki.Core.Lint.Profile;

/// <summary>The key usage bits are exactly the profile's.</summary>
public sealed class ProfileKeyUsageLint : ICertificateLint
{
    public string Name => "profile.key-usage";

    public string? Check(LintTarget certificate, LintContext context)
    {
        if (certificate.Find(Oids.KeyUsage) is not { } extension)
        {
            return "key usage is missing";
        }
        var actual = new X509KeyUsageExtension(new AsnEncodedData(extension.Value), extension.Critical).KeyUsages;
        var expected = KeyUsageNames.ToFlags(context.Profile.KeyUsage);
        return actual == expected ? null : $"key usage is {actual}, the profile says {expected}";
    }
}
