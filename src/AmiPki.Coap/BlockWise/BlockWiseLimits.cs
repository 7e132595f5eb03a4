namespace AmiPki.Coap.BlockWise;

/// <summary>
/// Bounds on the block-wise state a server keeps for its peers, so a flood of half-finished transfers
/// cannot exhaust memory (RFC 7959 §2.4 lets the server discard partial bodies at will).
/// </summary>
public sealed class BlockWiseLimits
{
    /// <summary>The largest request body reassembled from Block1 blocks; beyond it 4.13 (RFC 7959 §2.9.3).</summary>
    public int MaxBodySize { get; init; } = 64 * 1024;

    /// <summary>The block size the server prefers, as SZX (6 = 1024 bytes); clients' smaller sizes are honoured.</summary>
    public int PreferredSizeExponent { get; init; } = BlockOptionValue.MaxSizeExponent;

    public int MaxReassembliesPerPeer { get; init; } = 4;

    public int MaxReassemblies { get; init; } = 10_000;

    /// <summary>The sum of all partial bodies held at once.</summary>
    public long MaxBufferedBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>A reassembly with no new block for this long is dropped.</summary>
    public TimeSpan ReassemblyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Large responses kept so later Block2 requests can be served without re-running the handler.</summary>
    public int MaxCachedResponses { get; init; } = 10_000;

    public int MaxCachedResponsesPerPeer { get; init; } = 4;

    public TimeSpan CachedResponseLifetime { get; init; } = TimeSpan.FromSeconds(60);
}
