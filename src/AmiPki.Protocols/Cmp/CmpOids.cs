namespace AmiPki.Protocols.Cmp;

/// <summary>Object identifiers of CMP (RFC 4210, RFC 9480, RFC 9481) and CRMF (RFC 4211) that the adapter uses.</summary>
internal static class CmpOids
{
    /// <summary>PasswordBasedMac (RFC 4210 §5.1.3.1, RFC 9481 §6.1.1).</summary>
    public const string PasswordBasedMac = "1.2.840.113533.7.66.13";

    /// <summary>PBMAC1 (RFC 8018 Appendix A.5, RFC 9481 §6.1.2).</summary>
    public const string Pbmac1 = "1.2.840.113549.1.5.14";

    /// <summary>PBKDF2 (RFC 8018 Appendix A.2).</summary>
    public const string Pbkdf2 = "1.2.840.113549.1.5.12";

    public const string Sha1 = "1.3.14.3.2.26";
    public const string Sha256 = "2.16.840.1.101.3.4.2.1";
    public const string Sha384 = "2.16.840.1.101.3.4.2.2";
    public const string Sha512 = "2.16.840.1.101.3.4.2.3";

    /// <summary>hmac-sha1 as RFC 4210 names it (IPsec, RFC 2104 via 1.3.6.1.5.5.8.1.2).</summary>
    public const string HmacSha1Ipsec = "1.3.6.1.5.5.8.1.2";
    public const string HmacWithSha1 = "1.2.840.113549.2.7";
    public const string HmacWithSha256 = "1.2.840.113549.2.9";
    public const string HmacWithSha384 = "1.2.840.113549.2.10";
    public const string HmacWithSha512 = "1.2.840.113549.2.11";

    /// <summary>id-it-implicitConfirm (RFC 4210 §5.1.1.1).</summary>
    public const string ImplicitConfirm = "1.3.6.1.5.5.7.4.13";

    /// <summary>id-it-signKeyPairTypes (RFC 4210 §5.3.19.3).</summary>
    public const string SignKeyPairTypes = "1.3.6.1.5.5.7.4.2";

    /// <summary>id-it-caCerts (RFC 9480 §4.3.1).</summary>
    public const string CaCerts = "1.3.6.1.5.5.7.4.17";

    /// <summary>id-it-rootCaKeyUpdate (RFC 9480 §4.3.2): the answer to a rootCaCert request.</summary>
    public const string RootCaKeyUpdate = "1.3.6.1.5.5.7.4.18";

    /// <summary>id-it-rootCaCert (RFC 9480 §4.3.2): the old root the requester holds.</summary>
    public const string RootCaCert = "1.3.6.1.5.5.7.4.20";

    /// <summary>id-regCtrl-oldCertID (RFC 4211 §6.5).</summary>
    public const string OldCertId = "1.3.6.1.5.5.7.5.1.5";

    /// <summary>id-ce-cRLReasons (RFC 5280 §5.3.1).</summary>
    public const string CrlReason = "2.5.29.21";
}
