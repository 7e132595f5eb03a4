using AmiPki.Core.Audit;
using AmiPki.Core.Storage;

namespace AmiPki.Interop.Tests.Crash;

/// <summary>
/// Reads a server's storage directly, beside the running server, through the core's reader interfaces: what the crash
/// test checks acknowledged certificates and the recovery's audit entries against. One implementation per
/// <see cref="StorageKind"/>, opened through <see cref="TestStorage.OpenProbeAsync"/>.
/// </summary>
public abstract class StoreProbe : IAsyncDisposable
{
    private const int PageSize = 5_000;

    protected abstract ICertificateReader Certificates { get; }

    protected abstract IAuditLog Audit { get; }

    /// <summary>Every certificate row (any state, any issuer).</summary>
    public async Task<IReadOnlyList<CertificateRecord>> ListAllAsync()
    {
        var all = new List<CertificateRecord>();
        for (var offset = 0; ; offset += PageSize)
        {
            var page = await Certificates.ListAsync(new CertificateQuery(Limit: PageSize, Offset: offset), CancellationToken.None);
            all.AddRange(page);
            if (page.Count < PageSize)
            {
                return all;
            }
        }
    }

    public async Task<IReadOnlyList<AuditEntry>> ReadAuditAsync()
    {
        var entries = new List<AuditEntry>();
        await foreach (var entry in Audit.ReadAllAsync(CancellationToken.None))
        {
            entries.Add(entry);
        }
        return entries;
    }

    public abstract ValueTask DisposeAsync();
}
