namespace AmiPki.Core.Lint.Rfc5280;

/// <summary>RFC 5280 §4.2: a certificate MUST NOT include more than one instance of an extension.</summary>
public sealed class UniqueExtensionsLint : ICertificateLint
{
    public string Name => "rfc5280.unique-extensions";

    public string? Check(LintTarget certificate, LintContext context) =>
        certificate.Extensions.GroupBy(e => e.Oid).FirstOrDefault(g => g.Count() > 1) is { } duplicate
            ? $"extension {duplicate.Key} appears {duplicate.Count()} times"
            : null;
}
