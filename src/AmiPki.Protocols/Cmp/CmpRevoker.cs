using AmiPki.Core.Revocation;
using AmiPki.Core.Storage;

namespace AmiPki.Protocols.Cmp;

/// <summary>
/// Revokes for the CMP adapter (rr, rejected or unconfirmed certificates, kur superseding): through
/// <see cref="RevocationService"/> when the host has one (CRLs and OCSP follow at once), else straight through the
/// store. Once it returns the revocation is durable; it runs to completion even if the client has gone.
/// </summary>
public sealed class CmpRevoker
{
    private readonly RevocationService? _service;
    private readonly IRevocationStore _store;
    private readonly TimeProvider _time;

    public CmpRevoker(RevocationService? service, IRevocationStore store, TimeProvider time)
    {
        _service = service;
        _store = store;
        _time = time;
    }

    public async Task RevokeAsync(string issuer, string serialHex, RevocationReason reason, string actor)
    {
        var who = $"cmp:{actor}";
        if (_service is not null)
        {
            await _service.RevokeAsync([new SerialReference(issuer, serialHex)], reason, null, who, null, CancellationToken.None);
            return;
        }
        // CRLs carry whole seconds (RFC 5280 §5.1.2.4).
        var now = _time.GetUtcNow();
        var revokedAt = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        await _store.RevokeAsync(issuer, [serialHex], new RevocationInfo(reason, revokedAt, null), who, null, CancellationToken.None);
    }
}
