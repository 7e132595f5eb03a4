namespace AmiPki.Coap.Server;

/// <summary>Message-layer timing (RFC 7252 §4.8, defaults from §4.8 and §4.8.2).</summary>
public sealed class CoapTransmissionParameters
{
    public TimeSpan AckTimeout { get; init; } = TimeSpan.FromSeconds(2);

    public double AckRandomFactor { get; init; } = 1.5;

    public int MaxRetransmit { get; init; } = 4;

    /// <summary>How long a message id is remembered for deduplication (RFC 7252 §4.8.2: 247 s).</summary>
    public TimeSpan ExchangeLifetime { get; init; } = TimeSpan.FromSeconds(247);
}
