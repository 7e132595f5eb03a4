namespace AmiPki.Protocols.Ocsp;

/// <summary>Object identifiers of OCSP (RFC 6960 §4.4, Appendix B) and the CertID hashes.</summary>
internal static class OcspOids
{
    public const string Basic = "1.3.6.1.5.5.7.48.1.1";
    public const string Nonce = "1.3.6.1.5.5.7.48.1.2";
    public const string Sha1 = "1.3.14.3.2.26";
    public const string Sha256 = "2.16.840.1.101.3.4.2.1";
    public const string Sha384 = "2.16.840.1.101.3.4.2.2";
    public const string Sha512 = "2.16.840.1.101.3.4.2.3";

    public static bool TryParseHash(string oid, out OcspHashAlgorithm hash)
    {
        (var known, hash) = oid switch
        {
            Sha1 => (true, OcspHashAlgorithm.Sha1),
            Sha256 => (true, OcspHashAlgorithm.Sha256),
            Sha384 => (true, OcspHashAlgorithm.Sha384),
            Sha512 => (true, OcspHashAlgorithm.Sha512),
            _ => (false, default),
        };
        return known;
    }

    public static string OidOf(OcspHashAlgorithm hash) => hash switch
    {
        OcspHashAlgorithm.Sha1 => Sha1,
        OcspHashAlgorithm.Sha256 => Sha256,
        OcspHashAlgorithm.Sha384 => Sha384,
        _ => Sha512,
    };
}
