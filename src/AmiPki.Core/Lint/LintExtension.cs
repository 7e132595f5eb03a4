namespace AmiPki.Core.Lint;

/// <summary>An extension of the certificate being linted.</summary>
public sealed record LintExtension(string Oid, bool Critical, byte[] Value);
