using AmiPki.Core.Asn1;

namespace AmiPki.Core.Lint.Profile;

/// <summary>A certificate the profile says is revocable names where to check: CDP and AIA as the issuer has them.</summary>
public sealed class RevocationPointersLint : ICertificateLint
{
    public string Name => "profile.revocation-pointers";

    public string? Check(LintTarget certificate, LintContext context)
    {
        var issuer = context.Issuer.Record;
        if (context.Profile.IncludeCrlDistributionPoint && issuer.CrlUrl is not null && certificate.Find(Oids.CrlDistributionPoints) is null)
        {
            return "the CRL distribution point is missing";
        }
        if (context.Profile.IncludeAuthorityInfoAccess && (issuer.OcspUrl ?? issuer.CaIssuersUrl) is not null && certificate.Find(Oids.AuthorityInfoAccess) is null)
        {
            return "the authority information access is missing";
        }
        return null;
    }
}
