namespace AmiPki.Core.Devices;

/// <summary>The device registry that decides, with the manufacturer trust anchors, who may enroll zero-touch.</summary>
public interface IDeviceRegistry
{
    /// <summary>Inserts or updates devices in one durable transaction; returns how many were written.</summary>
    Task<int> UpsertAsync(IReadOnlyList<DeviceRecord> devices, CancellationToken cancellationToken);

    Task<DeviceRecord?> FindBySystemTitleAsync(string systemTitle, CancellationToken cancellationToken);

    Task<DeviceRecord?> FindByIDevIdAsync(string idevIdSha256, CancellationToken cancellationToken);

    Task<IReadOnlyList<DeviceRecord>> ListAsync(string? dcu, string? manufacturerLot, int limit, int offset, CancellationToken cancellationToken);
}
