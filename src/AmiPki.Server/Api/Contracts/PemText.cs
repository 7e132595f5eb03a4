using System.Security.Cryptography;

namespace AmiPki.Server.Api.Contracts;

/// <summary>PEM text (RFC 7468) for certificates and CRLs in API answers.</summary>
internal static class PemText
{
    public static string Encode(string label, byte[] der) => PemEncoding.WriteString(label, der) + "\n";
}
