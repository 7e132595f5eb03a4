using AmiPki.Core.Devices;

namespace AmiPki.Core.Authorization;

/// <summary>
/// A factory certificate (IDevID, IEEE 802.1AR) that chained to a manufacturer trust anchor, and the device registry's
/// record of it (null when the device is not registered: rules decide whether that is enough).
/// </summary>
/// <param name="IDevIdSha256">SHA-256 of the IDevID's DER, upper-case hex: the registry's key.</param>
/// <param name="CommonName">The IDevID's CN, for the audit actor; may be empty.</param>
public sealed record FactoryIdentity(string Manufacturer, string IDevIdSha256, string? CommonName, DeviceRecord? Device);
