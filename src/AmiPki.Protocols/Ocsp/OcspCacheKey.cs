namespace AmiPki.Protocols.Ocsp;

/// <summary>Pre-signed responses are kept per issuer, CertID hash algorithm and serial.</summary>
public readonly record struct OcspCacheKey(int Issuer, OcspHashAlgorithm Hash, string SerialHex);
