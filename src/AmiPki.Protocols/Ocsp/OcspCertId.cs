namespace AmiPki.Protocols.Ocsp;

/// <summary>
/// A CertID (RFC 6960 §4.1.1). <see cref="Encoded"/> is the request's own DER, echoed byte for byte in the answer so
/// every client matches it to its question. <see cref="Hash"/> is null for a hash algorithm we do not know.
/// </summary>
public sealed record OcspCertId(OcspHashAlgorithm? Hash, ReadOnlyMemory<byte> IssuerNameHash, ReadOnlyMemory<byte> IssuerKeyHash,
    ReadOnlyMemory<byte> SerialNumber, ReadOnlyMemory<byte> Encoded)
{
    /// <summary>The serial as storage keys it: upper-case hex of the INTEGER content octets.</summary>
    public string SerialHex => Convert.ToHexString(SerialNumber.Span);

    /// <summary>A positive serial (RFC 5280 §4.1.2.2); anything else was never issued by a conforming CA.</summary>
    public bool SerialIsPositive => SerialNumber.Length > 0 && (SerialNumber.Span[0] & 0x80) == 0;
}
