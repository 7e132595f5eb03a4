namespace AmiPki.Core.Storage;

/// <summary>Filters for listing certificates; null means "any". Results ordered by creation time, newest first.</summary>
public sealed record CertificateQuery(
    string? Issuer = null,
    string? Profile = null,
    CertificateState? State = null,
    bool? Revoked = null,
    DateTimeOffset? ExpiringBefore = null,
    string? SystemTitle = null,
    string? Dcu = null,
    string? ManufacturerLot = null,
    string? Subject = null,
    int Limit = 1000,
    int Offset = 0);
