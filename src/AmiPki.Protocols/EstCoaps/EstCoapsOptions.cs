using System.ComponentModel.DataAnnotations;

namespace AmiPki.Protocols.EstCoaps;

/// <summary>EST-coaps settings (configuration section <c>AmiPki:EstCoaps</c>, or <c>services.AddEstCoaps(o => ...)</c>).</summary>
public sealed class EstCoapsOptions
{
    public const string Section = "AmiPki:EstCoaps";

    /// <summary>Address the DTLS listener binds to.</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>UDP port of the DTLS listener (RFC 7252 §6.2 default coaps port 5684). 0 disables EST-coaps.</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 5684;

    /// <summary>
    /// The data directory: the listener's certificate lives in DATA/tls/, and the manufacturer anchors are read from
    /// DATA/trust/manufacturers when EST's <c>ManufacturerAnchorDirectory</c> is not set.
    /// </summary>
    public string? DataDirectory { get; set; }

    /// <summary>The profile served at <c>/.well-known/est/&lt;op&gt;</c> without a label: a meter's TLS identity.</summary>
    public string DefaultProfile { get; set; } = "meter-s1-tls";

    /// <summary>Extra labels (label → profile); every profile allowing <c>est-coaps</c> is also reachable under its own name.</summary>
    public Dictionary<string, string> Labels { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Max-Age of the 5.03 answer while a request waits for manual approval (RFC 9148 §5.7).</summary>
    [Range(1, int.MaxValue)]
    public int RetryAfterSeconds { get; set; } = 60;

    /// <summary>DTLS sessions held at once (handshaking or established).</summary>
    [Range(1, int.MaxValue)]
    public int MaxSessions { get; set; } = 20_000;

    /// <summary>An established DTLS session silent for this long is forgotten; a meter enrolls in seconds.</summary>
    [Range(1, int.MaxValue)]
    public int IdleTimeoutSeconds { get; set; } = 120;

    /// <summary>Threads doing DTLS work; 0 means one per core beyond the receive thread (on two cores, the receive thread alone).</summary>
    [Range(0, int.MaxValue)]
    public int WorkerCount { get; set; }
}
