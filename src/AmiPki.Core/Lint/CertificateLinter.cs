using System.Formats.Asn1;
using AmiPki.Core.Lint.Profile;
using AmiPki.Core.Lint.Rfc5280;

namespace AmiPki.Core.Lint;

/// <summary>Runs every lint; the first failure names its rule. A failed lint means nothing is signed.</summary>
public sealed class CertificateLinter
{
    public static IReadOnlyList<ICertificateLint> DefaultLints { get; } =
    [
        new VersionIsV3Lint(),
        new SerialNumberLint(),
        new SignatureAlgorithmMatchLint(),
        new ValidityLint(),
        new UniqueExtensionsLint(),
        new SubjectKeyIdentifierLint(),
        new AuthorityKeyIdentifierLint(),
        new KeyUsageLint(),
        new BasicConstraintsLint(),
        new EmptySubjectNeedsCriticalSanLint(),
        new ProfileKeyUsageLint(),
        new ProfileExtendedKeyUsageLint(),
        new DlmsSystemTitleLint(),
        new RevocationPointersLint(),
    ];

    private readonly IReadOnlyList<ICertificateLint> _lints;

    public CertificateLinter(IReadOnlyList<ICertificateLint>? lints = null)
    {
        _lints = lints ?? DefaultLints;
    }

    /// <summary>Null when every lint passes, else "rule: reason" of the first failure.</summary>
    public string? Run(ReadOnlyMemory<byte> certificate, LintContext context)
    {
        LintTarget target;
        try
        {
            target = LintTarget.Decode(certificate);
        }
        catch (AsnContentException e)
        {
            return $"der.decodable: the built certificate does not decode: {e.Message}";
        }
        foreach (var lint in _lints)
        {
            if (lint.Check(target, context) is { } problem)
            {
                return $"{lint.Name}: {problem}";
            }
        }
        return null;
    }
}
