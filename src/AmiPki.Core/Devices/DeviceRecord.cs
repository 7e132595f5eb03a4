namespace AmiPki.Core.Devices;

/// <summary>
/// A device known from a manufacturer manifest: its DLMS system title (16 hex digits), the fingerprint (SHA-256 of
/// the DER) or serial of its factory IDevID certificate, its manufacturer lot, the DCU it hangs off and its kind (one of
/// <see cref="DeviceKinds.All"/>: meter, dcu, hes, ...).
/// </summary>
public sealed record DeviceRecord(
    string SystemTitle,
    string? IDevIdSha256,
    string? IDevIdSerial,
    string Manufacturer,
    string? ManufacturerLot,
    string? Dcu,
    DateTimeOffset ImportedAt,
    string Kind = DeviceKinds.Meter);
