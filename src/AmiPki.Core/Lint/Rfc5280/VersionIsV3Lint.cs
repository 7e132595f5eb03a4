namespace AmiPki.Core.Lint.Rfc5280;

/// <summary>RFC 5280 §4.1.2.1: a certificate with extensions is v3.</summary>
public sealed class VersionIsV3Lint : ICertificateLint
{
    public string Name => "rfc5280.version-v3";

    public string? Check(LintTarget certificate, LintContext context) =>
        certificate.Version == 3 ? null : $"version is v{certificate.Version}, extensions need v3";
}
