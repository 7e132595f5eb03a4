using AmiPki.Core.Issuance;
using AmiPki.Core.Storage;

namespace AmiPki.Core.Revocation;

/// <summary>
/// Revokes superseded certificates straight through the store, for hosts without a <see cref="RevocationService"/>
/// (the CLI, tools, tests): durable when the task completes; CRLs and OCSP see it at their next read of storage.
/// </summary>
public sealed class StoreSupersededRevoker : ISupersededCertificateRevoker
{
    private readonly IRevocationStore _store;
    private readonly TimeProvider _time;

    public StoreSupersededRevoker(IRevocationStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
    }

    public Task RevokeSupersededAsync(string issuer, string serialHex, string actor, CancellationToken cancellationToken)
    {
        // CRLs carry whole seconds (RFC 5280 §5.1.2.4).
        var now = _time.GetUtcNow();
        var revokedAt = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        return _store.RevokeAsync(issuer, [serialHex], new RevocationInfo(RevocationReason.Superseded, revokedAt, null), actor, null, cancellationToken);
    }
}
