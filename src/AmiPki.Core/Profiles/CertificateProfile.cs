using System.Text.Json.Serialization;
using AmiPki.Core.Authorization;
using AmiPki.Core.Keys;

namespace AmiPki.Core.Profiles;

/// <summary>
/// A declarative certificate profile loaded from <c>profiles/*.json</c>: what a certificate of this kind may carry and
/// who may ask for one. Validated at start-up by <see cref="CertificateProfileValidator"/>.
/// </summary>
public sealed record CertificateProfile
{
    public required string Name { get; init; }

    public string Description { get; init; } = "";

    /// <summary>CAs that may issue under this profile; the first is the default.</summary>
    public required IReadOnlyList<string> Issuers { get; init; }

    public required IReadOnlyList<KeyAlgorithm> KeyAlgorithms { get; init; }

    public SubjectRule Subject { get; init; } = SubjectRule.CommonNameRequired;

    /// <summary>GeneralName kinds a CSR may request: dns, ip, uri, email, hardwareModuleName.</summary>
    public IReadOnlyList<string> SubjectAltNames { get; init; } = [];

    public bool SubjectAltNameRequired { get; init; }

    /// <summary>RFC 5280 §4.2.1.3 names: digitalSignature, contentCommitment, keyEncipherment, dataEncipherment, keyAgreement.</summary>
    public required IReadOnlyList<string> KeyUsage { get; init; }

    /// <summary>serverAuth, clientAuth, codeSigning, emailProtection, timeStamping, ocspSigning, or a dotted OID.</summary>
    public IReadOnlyList<string> ExtendedKeyUsage { get; init; } = [];

    public int ValidityDays { get; init; } = 365;

    /// <summary>Days before notAfter when renewal campaigns pick the certificate up.</summary>
    public int RenewalWindowDays { get; init; } = 30;

    /// <summary>
    /// Who may obtain a certificate of this profile, over which protocol, bound to which subject (default deny: what no
    /// rule allows is refused). Every profile file must declare at least one rule.
    /// </summary>
    public required IReadOnlyList<AuthorizationRule> Authorization { get; init; }

    /// <summary>What renewing a certificate of this profile does, for every protocol.</summary>
    public RenewalPolicy Renewal { get; init; } = new();

    /// <summary>The protocols some rule names, in the order first named. Not read from files: an old-style <c>protocols</c> field is refused.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> Protocols => Authorization.SelectMany(r => r.Protocols).Distinct(StringComparer.Ordinal).ToList();

    public bool AllowsProtocol(string protocol) => Authorization.Any(r => r.Protocols.Contains(protocol, StringComparer.Ordinal));

    /// <summary>Requests wait for an admin's approval before issuance.</summary>
    public bool ManualApproval { get; init; }

    /// <summary>Put the issuer's CRL distribution point in issued certificates (RFC 5280 §4.2.1.13).</summary>
    public bool IncludeCrlDistributionPoint { get; init; } = true;

    /// <summary>Put the issuer's AIA (OCSP and caIssuers, RFC 5280 §4.2.2.1) in issued certificates.</summary>
    public bool IncludeAuthorityInfoAccess { get; init; } = true;

    /// <summary>Add id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1): only for delegated OCSP responders.</summary>
    public bool OcspNoCheck { get; init; }

    /// <summary>Where the profile came from, for error messages.</summary>
    public string SourceFile { get; init; } = "";
}
