namespace AmiPki.Core.Authorization;

/// <summary>What a renewal of a certificate of this profile does (<c>"renewal"</c> in the profile file); the same for every protocol.</summary>
public sealed record RenewalPolicy
{
    /// <summary>Once the new certificate is issued (and, in CMP, confirmed) the renewed one is revoked as superseded (RFC 5280 §5.3.1).</summary>
    public bool RevokeSuperseded { get; init; } = true;

    /// <summary>
    /// A profile certificates of this one may renew into (algorithm migration, e.g. to a post-quantum profile); the
    /// successor's own rules must still allow <c>currentCertificate</c> over the protocol.
    /// </summary>
    public string? Successor { get; init; }
}
