namespace AmiPki.Core.Lint;

/// <summary>One rule a certificate must meet before it is signed. Returns null when met, else why not.</summary>
public interface ICertificateLint
{
    /// <summary>Short rule id, e.g. <c>rfc5280.serial-positive</c>, named in the refusal.</summary>
    string Name { get; }

    string? Check(LintTarget certificate, LintContext context);
}
