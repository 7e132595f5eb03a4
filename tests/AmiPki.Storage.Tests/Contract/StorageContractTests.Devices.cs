using AmiPki.Core.Devices;

namespace AmiPki.Storage.Tests.Contract;

public abstract partial class StorageContractTests
{
    private static DeviceRecord Device(int n, string? dcu = "dcu-1", string? lot = "lot-a") =>
        new($"4d4d4d{n:x10}", $"{n:x2}".PadLeft(64, 'e'), $"idevid-{n}", "Acme Meters", lot, dcu, T0);

    [Test]
    public async Task Devices_are_upserted_and_found_by_system_title_or_idevid()
    {
        Assert.That(await Storage.Devices.UpsertAsync([Device(1), Device(2), Device(3, dcu: "dcu-2")], CancellationToken.None), Is.EqualTo(3));

        Assert.That(await Storage.Devices.FindBySystemTitleAsync(Device(2).SystemTitle, CancellationToken.None), Is.EqualTo(Device(2)));
        Assert.That(await Storage.Devices.FindBySystemTitleAsync(Device(2).SystemTitle.ToUpperInvariant(), CancellationToken.None), Is.EqualTo(Device(2)));
        Assert.That(await Storage.Devices.FindByIDevIdAsync(Device(3).IDevIdSha256!, CancellationToken.None), Is.EqualTo(Device(3, dcu: "dcu-2")));
        Assert.That(await Storage.Devices.FindBySystemTitleAsync("0000000000000000", CancellationToken.None), Is.Null);

        var moved = Device(2, dcu: "dcu-9") with { ImportedAt = T0.AddDays(1) };
        Assert.That(await Storage.Devices.UpsertAsync([moved], CancellationToken.None), Is.EqualTo(1));
        Assert.That(await Storage.Devices.FindBySystemTitleAsync(moved.SystemTitle, CancellationToken.None), Is.EqualTo(moved));
    }

    [Test]
    public async Task The_device_kind_round_trips_and_an_upsert_changes_it()
    {
        var dcu = Device(1) with { Kind = DeviceKinds.Dcu };
        var gateway = Device(2) with { Kind = DeviceKinds.NetworkDevice };
        Assert.That(Device(3).Kind, Is.EqualTo(DeviceKinds.Meter), "a record without a kind is a meter");
        await Storage.Devices.UpsertAsync([dcu, gateway, Device(3)], CancellationToken.None);

        Assert.That(await Storage.Devices.FindBySystemTitleAsync(dcu.SystemTitle, CancellationToken.None), Is.EqualTo(dcu));
        Assert.That(await Storage.Devices.FindByIDevIdAsync(gateway.IDevIdSha256!, CancellationToken.None), Is.EqualTo(gateway));
        Assert.That((await Storage.Devices.ListAsync(null, null, 10, 0, CancellationToken.None)).Select(d => d.Kind),
            Is.EqualTo(new[] { DeviceKinds.Dcu, DeviceKinds.NetworkDevice, DeviceKinds.Meter }));

        var reclassified = gateway with { Kind = DeviceKinds.Gateway, ImportedAt = T0.AddDays(1) };
        await Storage.Devices.UpsertAsync([reclassified], CancellationToken.None);
        await ReopenAsync();

        Assert.That(await Storage.Devices.FindBySystemTitleAsync(gateway.SystemTitle, CancellationToken.None), Is.EqualTo(reclassified));
        Assert.That(await Storage.Devices.FindBySystemTitleAsync(dcu.SystemTitle, CancellationToken.None), Is.EqualTo(dcu));
    }

    [Test]
    public async Task Devices_are_listed_by_dcu_and_lot_with_paging()
    {
        await Storage.Devices.UpsertAsync([Device(1), Device(2, lot: "lot-b"), Device(3, dcu: "dcu-2"), Device(4)], CancellationToken.None);

        async Task<int[]> Numbers(string? dcu, string? lot, int limit = 100, int offset = 0) =>
            (await Storage.Devices.ListAsync(dcu, lot, limit, offset, CancellationToken.None))
            .Select(d => Convert.ToInt32(d.SystemTitle[6..], 16)).ToArray();

        Assert.That(await Numbers(null, null), Is.EqualTo(new[] { 1, 2, 3, 4 }));
        Assert.That(await Numbers("dcu-1", null), Is.EqualTo(new[] { 1, 2, 4 }));
        Assert.That(await Numbers("dcu-1", "lot-a"), Is.EqualTo(new[] { 1, 4 }));
        Assert.That(await Numbers(null, "lot-a", limit: 2, offset: 1), Is.EqualTo(new[] { 3, 4 }));
    }

    [Test]
    public async Task An_import_reusing_another_devices_idevid_writes_nothing()
    {
        await Storage.Devices.UpsertAsync([Device(1)], CancellationToken.None);
        var clash = Device(2) with { IDevIdSha256 = Device(1).IDevIdSha256 };

        Assert.ThrowsAsync<InvalidOperationException>(() => Storage.Devices.UpsertAsync([Device(3), clash], CancellationToken.None));

        Assert.That(await Storage.Devices.FindBySystemTitleAsync(Device(3).SystemTitle, CancellationToken.None), Is.Null);
    }
}
