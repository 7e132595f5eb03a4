namespace AmiPki.Protocols.EstCoaps;

/// <summary>The CoAP Content-Format numbers EST-coaps uses (RFC 9148 §8.3, IANA "CoAP Content-Formats").</summary>
public static class EstCoapsContentFormat
{
    /// <summary>application/multipart-core (RFC 8710): the /skg answer.</summary>
    public const int MultipartCore = 62;

    /// <summary>application/link-format (RFC 6690), the discovery answer.</summary>
    public const int LinkFormat = 40;

    /// <summary>application/pkcs7-mime; smime-type=server-generated-key (RFC 9148 §4.8, encrypted keys; not offered).</summary>
    public const int Pkcs7ServerGeneratedKey = 280;

    /// <summary>application/pkcs7-mime; smime-type=certs-only.</summary>
    public const int Pkcs7CertsOnly = 281;

    /// <summary>application/pkcs8: an unencrypted private key (inside /skg's multipart answer).</summary>
    public const int Pkcs8 = 284;

    /// <summary>application/csrattrs (RFC 7030 §4.5.2).</summary>
    public const int CsrAttrs = 285;

    /// <summary>application/pkcs10: a DER CSR, the only request body EST-coaps takes.</summary>
    public const int Pkcs10 = 286;

    /// <summary>application/pkix-cert: one DER certificate.</summary>
    public const int PkixCert = 287;
}
