using AmiPki.Core.Revocation;

namespace AmiPki.Protocols.Ocsp;

/// <summary>One SingleResponse to encode (RFC 6960 §4.2.1): the CertID as asked, the status, and its validity window.</summary>
public sealed record OcspSingleStatus(ReadOnlyMemory<byte> CertIdDer, CertificateStatus Status, RevocationInfo? Revocation, DateTimeOffset ThisUpdate,
    DateTimeOffset NextUpdate);
