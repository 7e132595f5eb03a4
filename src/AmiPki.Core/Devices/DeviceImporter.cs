using AmiPki.Core.Audit;

namespace AmiPki.Core.Devices;

/// <summary>
/// Writes a parsed manifest (<see cref="DeviceManifest"/>) into the registry in chunks — each chunk one durable
/// transaction — reporting progress after each, and audits the import once it is done.
/// </summary>
public sealed class DeviceImporter
{
    /// <summary>Devices per durable transaction: large enough for group commit, small enough for visible progress.</summary>
    public const int ChunkSize = 10_000;

    private readonly IDeviceRegistry _registry;
    private readonly IAuditLog _audit;
    private readonly TimeProvider _time;

    public DeviceImporter(IDeviceRegistry registry, IAuditLog audit, TimeProvider time)
    {
        _registry = registry;
        _audit = audit;
        _time = time;
    }

    /// <param name="source">Recorded in the audit entry (file name, or the API upload).</param>
    /// <param name="progress">Receives (written so far, total) after every chunk.</param>
    /// <returns>How many devices were written.</returns>
    public async Task<int> ImportAsync(IReadOnlyList<DeviceRecord> devices, string source, string actor, IProgress<(int Done, int Total)>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(devices);
        var written = 0;
        var done = 0;
        progress?.Report((0, devices.Count));
        foreach (var chunk in devices.Chunk(ChunkSize))
        {
            written += await _registry.UpsertAsync(chunk, cancellationToken);
            done += chunk.Length;
            progress?.Report((done, devices.Count));
        }
        // Every chunk written is durable: audit what happened even if the caller gave up meanwhile.
        await _audit.AppendAsync(new AuditEvent(_time.GetUtcNow(), "devices", actor, "success", $"imported {written} devices from {source}"),
            CancellationToken.None);
        return written;
    }
}
