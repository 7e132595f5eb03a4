namespace AmiPki.Core.Revocation;

/// <summary>
/// What a revocation did. <see cref="Changed"/> counts certificates whose status changed; <see cref="NotFound"/> lists
/// serials no CA of this instance issued; <see cref="Unchanged"/> counts those already revoked (or not on hold, for a
/// release).
/// </summary>
public sealed record RevocationResult(int Requested, int Changed, int Unchanged, IReadOnlyList<SerialReference> NotFound)
{
    public static RevocationResult Empty { get; } = new(0, 0, 0, []);
}
