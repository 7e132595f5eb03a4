namespace AmiPki.Core.Crl;

/// <summary>Object identifiers of CRL and CRL entry extensions (RFC 5280 §5.2, §5.3).</summary>
public static class CrlOids
{
    public const string CrlNumber = "2.5.29.20";
    public const string ReasonCode = "2.5.29.21";
    public const string InvalidityDate = "2.5.29.24";
    public const string DeltaCrlIndicator = "2.5.29.27";
    public const string IssuingDistributionPoint = "2.5.29.28";
    public const string AuthorityKeyIdentifier = "2.5.29.35";
    public const string FreshestCrl = "2.5.29.46";
}
