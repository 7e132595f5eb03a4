namespace AmiPki.Coap.Server;

/// <summary>Link attributes a resource is advertised with in /.well-known/core (RFC 6690 §3).</summary>
public sealed class CoapResourceDescription
{
    /// <summary>Resource types, the "rt" attribute (RFC 6690 §3.1).</summary>
    public IReadOnlyList<string> ResourceTypes { get; init; } = [];

    /// <summary>Interface descriptions, the "if" attribute (RFC 6690 §3.2).</summary>
    public IReadOnlyList<string> Interfaces { get; init; } = [];

    /// <summary>Content-Formats, the "ct" attribute (RFC 7252 §7.2.1).</summary>
    public IReadOnlyList<int> ContentFormats { get; init; } = [];

    public string? Title { get; init; }

    /// <summary>Hidden resources are served but not listed in /.well-known/core.</summary>
    public bool Hidden { get; init; }
}
