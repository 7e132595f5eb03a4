namespace AmiPki.Core.Lint.Rfc5280;

/// <summary>RFC 5280 §4.1.1.2: signatureAlgorithm equals the TBS signature field.</summary>
public sealed class SignatureAlgorithmMatchLint : ICertificateLint
{
    public string Name => "rfc5280.signature-algorithm-match";

    public string? Check(LintTarget certificate, LintContext context) =>
        certificate.TbsSignatureAlgorithm.AsSpan().SequenceEqual(certificate.OuterSignatureAlgorithm)
            ? null
            : "the TBS signature algorithm differs from the certificate's";
}
