namespace AmiPki.Protocols.Est;

/// <summary>The media types of EST over HTTPS (RFC 7030 §4, RFC 8951).</summary>
internal static class EstMediaTypes
{
    public const string Pkcs10 = "application/pkcs10";
    public const string CertsOnly = "application/pkcs7-mime; smime-type=certs-only";
    /// <summary>RFC 7030 §4.1.3: /cacerts answers application/pkcs7-mime (certs-only by content).</summary>
    public const string Pkcs7Mime = "application/pkcs7-mime";
    public const string CsrAttrs = "application/csrattrs";
    public const string Pkcs8 = "application/pkcs8";
    public const string Multipart = "multipart/mixed";
    public const string Text = "text/plain; charset=utf-8";
}
