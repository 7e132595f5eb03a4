using System.Globalization;

namespace AmiPki.Core.Revocation;

/// <summary>The RFC 5280 §5.3.1 reason names as admins type them (camelCase as in the RFC, kebab-case, or the number).</summary>
public static class RevocationReasons
{
    private static readonly Dictionary<string, RevocationReason> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["unspecified"] = RevocationReason.Unspecified,
        ["keyCompromise"] = RevocationReason.KeyCompromise,
        ["cACompromise"] = RevocationReason.CACompromise,
        ["affiliationChanged"] = RevocationReason.AffiliationChanged,
        ["superseded"] = RevocationReason.Superseded,
        ["cessationOfOperation"] = RevocationReason.CessationOfOperation,
        ["certificateHold"] = RevocationReason.CertificateHold,
        ["hold"] = RevocationReason.CertificateHold,
        ["privilegeWithdrawn"] = RevocationReason.PrivilegeWithdrawn,
        ["aACompromise"] = RevocationReason.AACompromise,
    };

    /// <summary>Names accepted by <see cref="Parse"/>, for help texts.</summary>
    public static string Accepted => "unspecified, keyCompromise, cACompromise, affiliationChanged, superseded, cessationOfOperation, "
        + "certificateHold, privilegeWithdrawn, aACompromise (or their numbers)";

    /// <summary>
    /// Parses a reason. removeFromCRL (8) is refused: it is not a revocation but how a delta CRL shows a released hold
    /// (RFC 5280 §5.3.1); release the hold instead.
    /// </summary>
    public static RevocationReason Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var key = text.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).Trim();
        if (ByName.TryGetValue(key, out var reason))
        {
            return reason;
        }
        if (int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && Enum.IsDefined((RevocationReason)number)
            && (RevocationReason)number != RevocationReason.RemoveFromCrl)
        {
            return (RevocationReason)number;
        }
        throw new ArgumentException($"unknown revocation reason '{text}' (accepted: {Accepted})");
    }

    /// <summary>The RFC 5280 name of a reason (camelCase).</summary>
    public static string NameOf(RevocationReason reason) => reason switch
    {
        RevocationReason.Unspecified => "unspecified",
        RevocationReason.KeyCompromise => "keyCompromise",
        RevocationReason.CACompromise => "cACompromise",
        RevocationReason.AffiliationChanged => "affiliationChanged",
        RevocationReason.Superseded => "superseded",
        RevocationReason.CessationOfOperation => "cessationOfOperation",
        RevocationReason.CertificateHold => "certificateHold",
        RevocationReason.RemoveFromCrl => "removeFromCRL",
        RevocationReason.PrivilegeWithdrawn => "privilegeWithdrawn",
        RevocationReason.AACompromise => "aACompromise",
        _ => ((int)reason).ToString(CultureInfo.InvariantCulture),
    };
}
