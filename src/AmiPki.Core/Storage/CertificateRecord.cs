using AmiPki.Core.Revocation;

namespace AmiPki.Core.Storage;

/// <summary>A certificate (or reserved serial) as storage holds it. <see cref="Der"/> is null while Signing or Failed.</summary>
public sealed record CertificateRecord(
    string Issuer,
    string SerialHex,
    CertificateState State,
    string Profile,
    string Subject,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    byte[]? Der,
    string? Sha256Hex,
    string Requester,
    string Protocol,
    DateTimeOffset CreatedAt,
    string? SystemTitle,
    string? Dcu,
    string? ManufacturerLot,
    string? DeviceId,
    RevocationInfo? Revocation,
    byte[]? TbsDer = null);
