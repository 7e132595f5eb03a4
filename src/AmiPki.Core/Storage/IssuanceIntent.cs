namespace AmiPki.Core.Storage;

/// <summary>
/// What is durably recorded before the issuing key signs (DESIGN.md step 6): the reserved serial and enough to
/// revoke the certificate should the process die after signing but before <see cref="IIssuanceStore.CompleteAsync"/>;
/// <paramref name="TbsDer"/> is the linted to-be-signed certificate (DER), so such a serial can still say what it certified.
/// </summary>
public sealed record IssuanceIntent(
    string Issuer,
    string SerialHex,
    string Profile,
    string Subject,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string Requester,
    string Protocol,
    DateTimeOffset CreatedAt,
    string? SystemTitle = null,
    string? Dcu = null,
    string? ManufacturerLot = null,
    string? DeviceId = null,
    byte[]? TbsDer = null);
