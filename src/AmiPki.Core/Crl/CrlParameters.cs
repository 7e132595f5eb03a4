namespace AmiPki.Core.Crl;

/// <summary>
/// What varies between two CRLs of one issuer (RFC 5280 §5.1, §5.2). Times are passed in, never defaulted to "now"
/// inside the builder (STYLE.md).
/// </summary>
/// <param name="CrlNumber">cRLNumber (§5.2.3): complete and delta CRLs of an issuer share one increasing sequence.</param>
/// <param name="DistributionPointUrl">
/// The URL certificates name in their CDP; goes into the Issuing Distribution Point (§5.2.5). Null: no IDP, the CRL
/// covers every certificate of the issuer (a root's CRLs, see <see cref="CrlGenerator.ScopeUrlFor"/>).
/// </param>
/// <param name="FreshestCrlUrl">Where the delta CRL is; complete CRLs only (§5.2.6).</param>
/// <param name="DeltaBaseCrlNumber">Set for a delta CRL: the number of the complete CRL it updates (Delta CRL Indicator, §5.2.4).</param>
public sealed record CrlParameters(
    long CrlNumber,
    DateTimeOffset ThisUpdate,
    DateTimeOffset NextUpdate,
    string? DistributionPointUrl,
    string? FreshestCrlUrl,
    long? DeltaBaseCrlNumber = null)
{
    public bool IsDelta => DeltaBaseCrlNumber is not null;
}
