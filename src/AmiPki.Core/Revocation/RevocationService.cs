using AmiPki.Core.Audit;
using AmiPki.Core.Authorities;
using AmiPki.Core.Devices;
using AmiPki.Core.Issuance;
using AmiPki.Core.Storage;
using AmiPki.Core.Telemetry;

namespace AmiPki.Core.Revocation;

/// <summary>
/// Revokes certificates: one serial, a list, or a selection (device, DCU, manufacturer lot, profile), with an RFC 5280
/// §5.3.1 reason; puts certificates on hold and releases holds. Each (issuer, profile) share of a batch is one durable storage
/// operation (<see cref="IRevocationStore.RevokeAsync"/>: one transaction, one audit entry per certificate), never a
/// round trip per certificate. Once durable, the change is published through <see cref="RevocationNotifier"/> so CRLs
/// and OCSP responses follow at once.
/// </summary>
public sealed class RevocationService : ISupersededCertificateRevoker
{
    /// <summary>Rows per <see cref="ICertificateReader.ListAsync"/> page while selecting.</summary>
    public const int PageSize = 1_000;

    private readonly CaHierarchy _authorities;
    private readonly ICertificateReader _certificates;
    private readonly IRevocationStore _store;
    private readonly RevocationNotifier _notifier;
    private readonly TimeProvider _time;
    private readonly IAuditLog? _audit;
    private readonly IDeviceRegistry? _devices;

    /// <param name="devices">
    /// When given, a DCU or lot selection also takes the certificates of every device the registry places behind that
    /// DCU or in that lot now (matched by system title), not only those recorded with it at issuance.
    /// </param>
    public RevocationService(CaHierarchy authorities, ICertificateReader certificates, IRevocationStore store, RevocationNotifier notifier,
        TimeProvider time, IAuditLog? audit = null, IDeviceRegistry? devices = null)
    {
        _devices = devices;
        _authorities = authorities;
        _certificates = certificates;
        _store = store;
        _notifier = notifier;
        _time = time;
        _audit = audit;
    }

    /// <summary>A renewal's predecessor, revoked as superseded once the new certificate is durable (RFC 5280 §5.3.1).</summary>
    public Task RevokeSupersededAsync(string issuer, string serialHex, string actor, CancellationToken cancellationToken) =>
        RevokeAsync([new SerialReference(issuer, serialHex)], RevocationReason.Superseded, null, actor, null, cancellationToken);

    /// <summary>Revokes the listed serials (a serial without an issuer is looked up among every CA).</summary>
    /// <param name="invalidityDate">When the key is known or suspected to have become invalid (RFC 5280 §5.3.2); optional.</param>
    public async Task<RevocationResult> RevokeAsync(IReadOnlyList<SerialReference> serials, RevocationReason reason, DateTimeOffset? invalidityDate,
        string actor, IProgress<RevocationProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(serials);
        ArgumentNullException.ThrowIfNull(actor);
        EnsureRevocable(reason);
        var (found, notFound) = await ResolveAsync(serials, progress, cancellationToken);
        var revocable = found.Where(r => IsRevocable(r, reason)).ToList();
        var changed = await RevokeRecordsAsync(revocable, reason, invalidityDate, actor, progress, cancellationToken);
        return new RevocationResult(serials.Count, changed, serials.Count - notFound.Count - changed, notFound);
    }

    /// <summary>Revokes every certificate the selection matches, in one durable operation per issuer and profile.</summary>
    public async Task<RevocationResult> RevokeSelectionAsync(RevocationSelection selection, RevocationReason reason, DateTimeOffset? invalidityDate,
        string actor, IProgress<RevocationProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(actor);
        EnsureRevocable(reason);
        var selected = await SelectAsync(selection, progress, cancellationToken);
        var revocable = selected.Where(r => IsRevocable(r, reason)).ToList();
        var changed = await RevokeRecordsAsync(revocable, reason, invalidityDate, actor, progress, cancellationToken);
        await AuditBulkAsync(actor, $"bulk revocation selection=[{selection}] reason={RevocationReasons.NameOf(reason)} matched={selected.Count} revoked={changed}",
            cancellationToken);
        return new RevocationResult(selected.Count, changed, selected.Count - changed, []);
    }

    /// <summary>Releases certificateHold on the listed serials: they are good again (RFC 5280 §5.3.1).</summary>
    public async Task<RevocationResult> ReleaseHoldAsync(IReadOnlyList<SerialReference> serials, string actor, IProgress<RevocationProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(serials);
        ArgumentNullException.ThrowIfNull(actor);
        var (found, notFound) = await ResolveAsync(serials, progress, cancellationToken);
        var released = await ReleaseRecordsAsync(found, actor, progress, cancellationToken);
        return new RevocationResult(serials.Count, released, serials.Count - notFound.Count - released, notFound);
    }

    /// <summary>Releases certificateHold on every held certificate the selection matches.</summary>
    public async Task<RevocationResult> ReleaseHoldSelectionAsync(RevocationSelection selection, string actor, IProgress<RevocationProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(actor);
        var selected = await SelectAsync(selection, progress, cancellationToken);
        var released = await ReleaseRecordsAsync(selected, actor, progress, cancellationToken);
        await AuditBulkAsync(actor, $"bulk hold release selection=[{selection}] matched={selected.Count} released={released}", cancellationToken);
        return new RevocationResult(selected.Count, released, selected.Count - released, []);
    }

    /// <summary>
    /// Every certificate (and reserved serial) the selection matches, read page by page. Lists are newest first, so a
    /// certificate issued meanwhile only shifts the pages (a record seen twice is kept once); none is missed.
    /// </summary>
    public async Task<IReadOnlyList<CertificateRecord>> SelectAsync(RevocationSelection selection, IProgress<RevocationProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(selection);
        if (selection.IsEmpty)
        {
            throw new ArgumentException("a bulk selection needs a device, a DCU, a manufacturer lot or a profile");
        }
        if (selection.Issuer is not null)
        {
            RequireAuthority(selection.Issuer);
        }
        var records = new List<CertificateRecord>();
        var seen = new HashSet<(string, string)>();
        for (var offset = 0; ; offset += PageSize)
        {
            var page = await _certificates.ListAsync(new CertificateQuery(Issuer: selection.Issuer, Profile: selection.Profile,
                SystemTitle: selection.SystemTitle, Dcu: selection.Dcu, ManufacturerLot: selection.ManufacturerLot, Limit: PageSize, Offset: offset),
                cancellationToken);
            foreach (var record in page)
            {
                if (seen.Add((record.Issuer, record.SerialHex.ToUpperInvariant())))
                {
                    records.Add(record);
                }
            }
            progress?.Report(new RevocationProgress("selecting", records.Count, records.Count));
            if (page.Count < PageSize)
            {
                break;
            }
        }
        if (_devices is not null && (selection.Dcu is not null || selection.ManufacturerLot is not null))
        {
            await AddRegisteredDevicesAsync(_devices, selection, records, seen, progress, cancellationToken);
        }
        return records;
    }

    private async Task AddRegisteredDevicesAsync(IDeviceRegistry devices, RevocationSelection selection, List<CertificateRecord> records,
        HashSet<(string, string)> seen, IProgress<RevocationProgress>? progress, CancellationToken cancellationToken)
    {
        for (var deviceOffset = 0; ; deviceOffset += PageSize)
        {
            var devicePage = await devices.ListAsync(selection.Dcu, selection.ManufacturerLot, PageSize, deviceOffset, cancellationToken);
            foreach (var device in devicePage)
            {
                if (selection.SystemTitle is not null && !string.Equals(selection.SystemTitle, device.SystemTitle, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }
                for (var offset = 0; ; offset += PageSize)
                {
                    var page = await _certificates.ListAsync(new CertificateQuery(Issuer: selection.Issuer, Profile: selection.Profile,
                        SystemTitle: device.SystemTitle, Limit: PageSize, Offset: offset), cancellationToken);
                    foreach (var record in page)
                    {
                        if (seen.Add((record.Issuer, record.SerialHex.ToUpperInvariant())))
                        {
                            records.Add(record);
                        }
                    }
                    if (page.Count < PageSize)
                    {
                        break;
                    }
                }
            }
            progress?.Report(new RevocationProgress("selecting", records.Count, records.Count));
            if (devicePage.Count < PageSize)
            {
                return;
            }
        }
    }

    private async Task<int> RevokeRecordsAsync(List<CertificateRecord> records, RevocationReason reason, DateTimeOffset? invalidityDate, string actor,
        IProgress<RevocationProgress>? progress, CancellationToken cancellationToken)
    {
        // CRLs and OCSP carry whole seconds (RFC 5280 §5.1.2.4 times have no fractions): record exactly what they will say.
        var now = _time.GetUtcNow();
        var revocation = new RevocationInfo(reason, TruncateToSeconds(now), invalidityDate is { } date ? TruncateToSeconds(date.ToUniversalTime()) : null);
        var total = records.Count;
        var done = 0;
        var changed = 0;
        progress?.Report(new RevocationProgress("revoking", 0, total));
        // Grouped by profile too, so the metric counts exactly what changed per profile.
        foreach (var group in records.GroupBy(r => (r.Issuer, r.Profile)))
        {
            var serials = group.Select(r => r.SerialHex).ToList();
            var before = done;
            var storeProgress = progress is null ? null : new Progress(count => progress.Report(new RevocationProgress("revoking", before + count, total)));
            // One durable operation per issuer and profile. Once it returns, the revocation stands even if the caller gives up.
            var groupChanged = await _store.RevokeAsync(group.Key.Issuer, serials, revocation, actor, storeProgress, cancellationToken);
            changed += groupChanged;
            done += serials.Count;
            AmiPkiMetrics.CertificatesRevoked.Add(groupChanged, new(AmiPkiMetrics.Tags.Profile, group.Key.Profile),
                new(AmiPkiMetrics.Tags.Protocol, ChannelOf(actor)), new(AmiPkiMetrics.Tags.Reason, RevocationReasons.NameOf(reason)));
            _notifier.Publish(new RevocationChange(group.Key.Issuer, serials, revocation));
            progress?.Report(new RevocationProgress("revoking", done, total));
        }
        return changed;
    }

    private async Task<int> ReleaseRecordsAsync(IReadOnlyList<CertificateRecord> records, string actor, IProgress<RevocationProgress>? progress,
        CancellationToken cancellationToken)
    {
        var held = records.Where(r => r.Revocation is { Reason: RevocationReason.CertificateHold }).ToList();
        var released = 0;
        for (var i = 0; i < held.Count; i++)
        {
            var record = held[i];
            if (await _store.ReleaseHoldAsync(record.Issuer, record.SerialHex, actor, cancellationToken))
            {
                released++;
                // A delta CRL lists a released hold as removeFromCRL with its original revocation time (RFC 5280 §5.3.1).
                _notifier.Publish(new RevocationChange(record.Issuer, [record.SerialHex],
                    new RevocationInfo(RevocationReason.RemoveFromCrl, record.Revocation!.RevokedAt, null)));
            }
            progress?.Report(new RevocationProgress("releasing", i + 1, held.Count));
        }
        return released;
    }

    private async Task<(List<CertificateRecord> Found, List<SerialReference> NotFound)> ResolveAsync(IReadOnlyList<SerialReference> serials,
        IProgress<RevocationProgress>? progress, CancellationToken cancellationToken)
    {
        var found = new List<CertificateRecord>(serials.Count);
        var notFound = new List<SerialReference>();
        var seen = new HashSet<(string, string)>();
        for (var i = 0; i < serials.Count; i++)
        {
            var reference = serials[i];
            var serial = SerialReference.NormalizeSerial(reference.SerialHex);
            CertificateRecord? match = null;
            if (reference.Issuer is { } issuer)
            {
                RequireAuthority(issuer);
                match = await _certificates.FindAsync(issuer, serial, cancellationToken);
            }
            else
            {
                foreach (var name in _authorities.Names)
                {
                    if (await _certificates.FindAsync(name, serial, cancellationToken) is not { } candidate)
                    {
                        continue;
                    }
                    if (match is not null)
                    {
                        throw new ArgumentException($"serial {serial} exists at CA {match.Issuer} and at CA {candidate.Issuer}: name the issuer");
                    }
                    match = candidate;
                }
            }
            if (match is null)
            {
                notFound.Add(reference with { SerialHex = serial });
            }
            else if (seen.Add((match.Issuer, match.SerialHex.ToUpperInvariant())))
            {
                found.Add(match);
            }
            if (progress is not null && ((i + 1) % PageSize == 0 || i + 1 == serials.Count))
            {
                progress.Report(new RevocationProgress("resolving", i + 1, serials.Count));
            }
        }
        return (found, notFound);
    }

    /// <summary>Signing-state serials are revocable (a signature may exist); final revocations stand; a hold may become final.</summary>
    private static bool IsRevocable(CertificateRecord record, RevocationReason reason) =>
        record.State != CertificateState.Failed
        && (record.Revocation is null || (record.Revocation.Reason == RevocationReason.CertificateHold && reason != RevocationReason.CertificateHold));

    private static void EnsureRevocable(RevocationReason reason)
    {
        if (reason == RevocationReason.RemoveFromCrl || !Enum.IsDefined(reason))
        {
            throw new ArgumentException($"'{reason}' is not a revocation reason (RFC 5280 §5.3.1); to undo a hold, release it");
        }
    }

    private void RequireAuthority(string issuer)
    {
        if (_authorities.Find(issuer) is null)
        {
            throw new ArgumentException($"no CA named '{issuer}' (known: {string.Join(", ", _authorities.Names)})");
        }
    }

    private Task AuditBulkAsync(string actor, string detail, CancellationToken cancellationToken) =>
        _audit?.AppendAsync(new AuditEvent(_time.GetUtcNow(), "revocation.bulk", actor, "success", detail), CancellationToken.None)
        ?? Task.CompletedTask;

    /// <summary>The channel that asked, from the actor's prefix (<c>cli:alice</c> → cli, <c>admin-api:…</c> → admin-api).</summary>
    private static string ChannelOf(string actor)
    {
        var colon = actor.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? actor[..colon] : "other";
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset time) =>
        new(time.UtcTicks - time.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    /// <summary>Forwards synchronously: <see cref="System.Progress{T}"/> would post to a captured context and reorder reports.</summary>
    private sealed class Progress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
