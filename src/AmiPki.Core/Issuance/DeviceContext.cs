namespace AmiPki.Core.Issuance;

/// <summary>What the device registry knows of the enrolling device; recorded with the certificate for bulk revocation.</summary>
public sealed record DeviceContext(string? SystemTitle, string? Dcu, string? ManufacturerLot, string? DeviceId);
