namespace AmiPki.Protocols.Ocsp;

/// <summary>Hash algorithms a CertID may use (RFC 6960 §4.1.1; SHA-1 is what most clients, openssl included, send).</summary>
public enum OcspHashAlgorithm : byte
{
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}
