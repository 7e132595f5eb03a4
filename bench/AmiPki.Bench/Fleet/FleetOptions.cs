namespace AmiPki.Bench.Fleet;

/// <summary>How large a fleet to enroll, and how.</summary>
public sealed class FleetOptions
{
    public int Meters { get; init; } = 10_000;

    /// <summary>Meters enrolling at the same time (each its own DTLS session and UDP socket).</summary>
    public int Concurrency { get; init; } = 256;

    /// <summary>Block1 size of the CSR upload (RFC 7959 §2.2): 64 bytes, as constrained radio links use.</summary>
    public int BlockSize { get; init; } = 64;

    /// <summary>
    /// Whether each meter verifies the server's chain to the provisioned root (OpenSSL's path validation in the handshake). Off by
    /// default: the development hierarchy's root is P-384, and verifying the issuing CA's certificate measured about 1 ms of
    /// simulator CPU per meter here (OpenSSL 3.0 has no fast P-384 code), more than the rest of the meter's handshake.
    /// </summary>
    public bool ValidateServerChain { get; init; }

    /// <summary>The <c>amipki.dll</c> to run as the server; null finds the one built in this repository.</summary>
    public string? AmiPkiDll { get; init; }

    /// <summary>Where the progress lines go; null for none.</summary>
    public TextWriter? Progress { get; init; }
}
