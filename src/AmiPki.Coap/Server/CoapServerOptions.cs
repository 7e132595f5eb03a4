using AmiPki.Coap.BlockWise;

namespace AmiPki.Coap.Server;

public sealed class CoapServerOptions
{
    public CoapTransmissionParameters Transmission { get; init; } = new();

    public BlockWiseLimits BlockWise { get; init; } = new();

    /// <summary>
    /// A handler slower than this gets an empty ACK first and its answer later as a separate CON response
    /// (RFC 7252 §5.2.2); kept under ACK_TIMEOUT so the client does not retransmit meanwhile.
    /// </summary>
    public TimeSpan SeparateResponseThreshold { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Bound on remembered message ids, so a flood of fresh ids cannot exhaust memory.</summary>
    public int MaxDeduplicationEntries { get; init; } = 200_000;

    /// <summary>Bound on separate CON responses awaiting their ACK.</summary>
    public int MaxOutstandingConfirmables { get; init; } = 10_000;
}
