using System.Security.Cryptography;

namespace AmiPki.Protocols.Scep;

/// <summary>
/// A one-time SCEP challenge password (RFC 8894 §2.3), <c>&lt;id&gt;.&lt;secret&gt;</c> in lowercase hex: the id (40 bits)
/// names the stored credential (kind <see cref="CredentialKind"/>), the secret (128 bits) is stored only as a PBKDF2
/// hash. Hex and '.' are PrintableString characters, as the CSR's challengePassword attribute usually is.
/// </summary>
public static class ScepChallenge
{
    public const string CredentialKind = "scep-challenge";

    private const int IdBytes = 5;
    private const int SecretBytes = 16;

    public static (string Id, string Secret, string Password) Generate()
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdBytes));
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(SecretBytes));
        return (id, secret, $"{id}.{secret}");
    }

    /// <summary>Splits a password of the one-time form; false for anything else (e.g. a static challenge).</summary>
    public static bool TryParse(string password, out string id, out string secret)
    {
        id = secret = "";
        var dot = password.IndexOf('.', StringComparison.Ordinal);
        if (dot != IdBytes * 2 || password.Length != dot + 1 + SecretBytes * 2 || !IsHex(password.AsSpan(0, dot)) || !IsHex(password.AsSpan(dot + 1)))
        {
            return false;
        }
        id = password[..dot];
        secret = password[(dot + 1)..];
        return true;
    }

    private static bool IsHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is not (>= '0' and <= '9' or >= 'a' and <= 'f'))
            {
                return false;
            }
        }
        return true;
    }
}
