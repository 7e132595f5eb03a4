namespace AmiPki.Core.Authorities;

/// <summary>
/// A certificate authority as storage holds it: its certificate, where its key lives, and the URLs that go into the
/// certificates it issues (CDP, AIA OCSP and caIssuers, RFC 5280 §4.2.1.13 and §4.2.2.1).
/// </summary>
public sealed record CaRecord(
    string Name,
    string? Parent,
    byte[] CertificateDer,
    string KeyProvider,
    string KeyReference,
    string? CrlUrl,
    string? OcspUrl,
    string? CaIssuersUrl,
    DateTimeOffset CreatedAt);
