namespace AmiPki.Core.Trust;

/// <summary>The outcome of validating a factory certificate: the manufacturer whose anchor it chains to, or why not.</summary>
public sealed record TrustResult(bool IsTrusted, string? Manufacturer, string? Reason)
{
    public static TrustResult Trusted(string manufacturer) => new(true, manufacturer, null);

    public static TrustResult Refused(string reason) => new(false, null, reason);
}
