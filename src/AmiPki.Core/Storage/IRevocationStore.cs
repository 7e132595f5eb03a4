using AmiPki.Core.Audit;
using AmiPki.Core.Revocation;

namespace AmiPki.Core.Storage;

/// <summary>Revocation writes and the reads a CRL needs.</summary>
public interface IRevocationStore
{
    /// <summary>
    /// Revokes the given serials of one issuer in one durable operation (one audit entry per certificate).
    /// Serials never issued or already revoked (other than on hold) are skipped; returns how many changed.
    /// <paramref name="progress"/> receives the running count.
    /// </summary>
    Task<int> RevokeAsync(string issuer, IReadOnlyList<string> serialHexes, RevocationInfo revocation, string actor,
        IProgress<int>? progress, CancellationToken cancellationToken);

    /// <summary>Releases a certificateHold (RFC 5280 §5.3.1): the certificate is good again. False if not on hold.</summary>
    Task<bool> ReleaseHoldAsync(string issuer, string serialHex, string actor, CancellationToken cancellationToken);

    /// <summary>Every revoked entry of an issuer (Signing-state serials that were revoked included), streamed.</summary>
    IAsyncEnumerable<RevokedEntry> ListRevokedAsync(string issuer, DateTimeOffset? revokedSince, CancellationToken cancellationToken);

    /// <summary>Allocates the next CRL number for an issuer, durable and monotonic across restarts and nodes.</summary>
    Task<long> NextCrlNumberAsync(string issuer, CancellationToken cancellationToken);
}

/// <summary>One CRL entry.</summary>
public sealed record RevokedEntry(string SerialHex, RevocationInfo Revocation);
