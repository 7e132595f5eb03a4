namespace AmiPki.Protocols.Scep;

/// <summary>Object identifiers of SCEP (RFC 8894 §3.2.1) and the CMS algorithms it uses (RFC 8894 §3.5.2).</summary>
internal static class ScepOids
{
    /// <summary>RFC 8894 §3.2.1.2: messageType, a PrintableString decimal.</summary>
    public const string MessageType = "2.16.840.1.113733.1.9.2";

    /// <summary>RFC 8894 §3.2.1.3: pkiStatus, a PrintableString decimal.</summary>
    public const string PkiStatus = "2.16.840.1.113733.1.9.3";

    /// <summary>RFC 8894 §3.2.1.4: failInfo, a PrintableString decimal.</summary>
    public const string FailInfo = "2.16.840.1.113733.1.9.4";

    /// <summary>RFC 8894 §3.2.1.5: senderNonce, an OCTET STRING (16 bytes).</summary>
    public const string SenderNonce = "2.16.840.1.113733.1.9.5";

    /// <summary>RFC 8894 §3.2.1.5: recipientNonce, an OCTET STRING copied from the request's senderNonce.</summary>
    public const string RecipientNonce = "2.16.840.1.113733.1.9.6";

    /// <summary>RFC 8894 §3.2.1.1: transactionID, a PrintableString chosen by the client.</summary>
    public const string TransactionId = "2.16.840.1.113733.1.9.7";

    /// <summary>RFC 8894 §3.2.1.4.1: failInfoText (id-pkix 24 1), a UTF8String.</summary>
    public const string FailInfoText = "1.3.6.1.5.5.7.24.1";

    public const string Data = "1.2.840.113549.1.7.1";
    public const string SignedData = "1.2.840.113549.1.7.2";
    public const string EnvelopedData = "1.2.840.113549.1.7.3";

    public const string Aes128Cbc = "2.16.840.1.101.3.4.1.2";
    public const string Aes192Cbc = "2.16.840.1.101.3.4.1.22";
    public const string Aes256Cbc = "2.16.840.1.101.3.4.1.42";
    public const string DesEde3Cbc = "1.2.840.113549.3.7";
    public const string DesCbc = "1.3.14.3.2.7";
}
