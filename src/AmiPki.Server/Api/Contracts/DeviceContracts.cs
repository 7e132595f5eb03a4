using AmiPki.Core.Devices;
using Microsoft.AspNetCore.Mvc;

namespace AmiPki.Server.Api.Contracts;

public sealed class DeviceSearch
{
    [FromQuery(Name = "dcu")] public string? Dcu { get; init; }
    [FromQuery(Name = "lot")] public string? Lot { get; init; }
    [FromQuery(Name = "limit")] public int? Limit { get; init; }
    [FromQuery(Name = "offset")] public int? Offset { get; init; }
}

/// <summary>A registered device; <c>kind</c> is one of <see cref="DeviceKinds.All"/> (meter, dcu, hes, gateway, network-device).</summary>
public sealed record DeviceView(string SystemTitle, string? IdevidSha256, string? IdevidSerial, string Manufacturer, string? Lot, string? Dcu,
    DateTimeOffset ImportedAt, string Kind)
{
    public static DeviceView From(DeviceRecord d) =>
        new(d.SystemTitle, d.IDevIdSha256, d.IDevIdSerial, d.Manufacturer, d.ManufacturerLot, d.Dcu, d.ImportedAt, d.Kind);
}

public sealed record DevicePage(IReadOnlyList<DeviceView> Items, int Offset, int Limit, int? NextOffset);
