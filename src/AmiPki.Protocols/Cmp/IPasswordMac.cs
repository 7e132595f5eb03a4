namespace AmiPki.Protocols.Cmp;

/// <summary>A password-based MAC of CMP (RFC 9481 §6.1) with its parameters as the requester chose them.</summary>
public interface IPasswordMac
{
    /// <summary>The MAC of <paramref name="data"/> keyed by the shared secret.</summary>
    byte[] Compute(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> data);

    /// <summary>The same algorithm with a fresh CSPRNG salt, for protecting the response (RFC 4210 §5.1.3.1).</summary>
    IPasswordMac WithFreshSalt();

    /// <summary>DER AlgorithmIdentifier for the response's protectionAlg.</summary>
    byte[] EncodeAlgorithmIdentifier();
}
