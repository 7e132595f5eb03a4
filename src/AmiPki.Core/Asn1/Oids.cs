namespace AmiPki.Core.Asn1;

/// <summary>Object identifiers the core reads and writes.</summary>
public static class Oids
{
    // Algorithms (RFC 5480, RFC 5758, RFC 4055)
    public const string EcPublicKey = "1.2.840.10045.2.1";
    public const string Secp256r1 = "1.2.840.10045.3.1.7";
    public const string Secp384r1 = "1.3.132.0.34";
    public const string Secp521r1 = "1.3.132.0.35";
    public const string RsaEncryption = "1.2.840.113549.1.1.1";
    public const string EcdsaWithSha256 = "1.2.840.10045.4.3.2";
    public const string EcdsaWithSha384 = "1.2.840.10045.4.3.3";
    public const string EcdsaWithSha512 = "1.2.840.10045.4.3.4";
    public const string Sha256WithRsa = "1.2.840.113549.1.1.11";
    public const string Sha384WithRsa = "1.2.840.113549.1.1.12";
    public const string Sha512WithRsa = "1.2.840.113549.1.1.13";

    // PKCS#9 attributes (RFC 2985)
    public const string ExtensionRequest = "1.2.840.113549.1.9.14";
    public const string ChallengePassword = "1.2.840.113549.1.9.7";

    // Names (RFC 5280 Appendix A)
    public const string CommonName = "2.5.4.3";
    public const string SerialNumberAttribute = "2.5.4.5";

    // Extensions (RFC 5280 §4.2)
    public const string SubjectKeyIdentifier = "2.5.29.14";
    public const string KeyUsage = "2.5.29.15";
    public const string SubjectAltName = "2.5.29.17";
    public const string BasicConstraints = "2.5.29.19";
    public const string CrlDistributionPoints = "2.5.29.31";
    public const string AuthorityKeyIdentifier = "2.5.29.35";
    public const string ExtendedKeyUsage = "2.5.29.37";
    public const string AuthorityInfoAccess = "1.3.6.1.5.5.7.1.1";
    public const string OcspNoCheck = "1.3.6.1.5.5.7.48.1.5";
    public const string AccessOcsp = "1.3.6.1.5.5.7.48.1";
    public const string AccessCaIssuers = "1.3.6.1.5.5.7.48.2";
    public const string HardwareModuleName = "1.3.6.1.5.5.7.8.4";
}
