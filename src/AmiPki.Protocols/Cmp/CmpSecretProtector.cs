using System.Security.Cryptography;
using System.Text;

namespace AmiPki.Protocols.Cmp;

/// <summary>
/// Keeps CMP shared secrets at rest. PasswordBasedMac and PBMAC1 (RFC 9481 §6.1) key the MAC with the plain secret
/// and a salt the client picks, so a one-way hash (as EST's <c>SecretHasher</c> stores) cannot work: the secret is
/// stored AES-256-GCM encrypted in <see cref="Core.Credentials.EnrollmentCredential.SecretHash"/> as
/// <c>cmp-aesgcm-v1$nonce$ciphertext+tag</c>, with the reference number as associated data (a blob copied onto another
/// reference does not decrypt). The key is PBKDF2-SHA256 of <c>AMIPKI_CMP_SECRET_KEY</c>, or of the software key
/// passphrase <c>AMIPKI_KEY_PASSPHRASE</c> when that is not set: a copy of the database alone reveals no secret.
/// </summary>
public sealed class CmpSecretProtector
{
    /// <summary>The credential kind CMP looks references up by.</summary>
    public const string CredentialKind = "cmp-reference";

    public const string KeyVariable = "AMIPKI_CMP_SECRET_KEY";
    public const string FallbackVariable = "AMIPKI_KEY_PASSPHRASE";
    private const string Prefix = "cmp-aesgcm-v1";
    private static readonly byte[] Salt = "amipki/cmp-credentials/v1"u8.ToArray();

    private readonly byte[] _key;

    public CmpSecretProtector(string passphrase)
    {
        ArgumentException.ThrowIfNullOrEmpty(passphrase);
        _key = Rfc2898DeriveBytes.Pbkdf2(passphrase, Salt, 100_000, HashAlgorithmName.SHA256, 32);
    }

    /// <summary>From <c>AMIPKI_CMP_SECRET_KEY</c>, else <c>AMIPKI_KEY_PASSPHRASE</c>, else <paramref name="fallback"/>; null if none is set.</summary>
    public static CmpSecretProtector? FromEnvironment(string? fallback = null)
    {
        var passphrase = Environment.GetEnvironmentVariable(KeyVariable) is { Length: > 0 } key ? key
            : Environment.GetEnvironmentVariable(FallbackVariable) is { Length: > 0 } passphraseVariable ? passphraseVariable
            : fallback;
        return string.IsNullOrEmpty(passphrase) ? null : new CmpSecretProtector(passphrase);
    }

    public string Protect(string reference, string secret)
    {
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var plain = Encoding.UTF8.GetBytes(secret);
        var output = new byte[plain.Length + AesGcm.TagByteSizes.MaxSize];
        using var aes = new AesGcm(_key, AesGcm.TagByteSizes.MaxSize);
        aes.Encrypt(nonce, plain, output.AsSpan(0, plain.Length), output.AsSpan(plain.Length), Encoding.UTF8.GetBytes(reference));
        CryptographicOperations.ZeroMemory(plain);
        return $"{Prefix}${Convert.ToBase64String(nonce)}${Convert.ToBase64String(output)}";
    }

    /// <summary>The secret's UTF-8 bytes, or null when the stored form is not ours or does not decrypt under this key.</summary>
    public byte[]? Unprotect(string reference, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 3 || parts[0] != Prefix)
        {
            return null;
        }
        try
        {
            var nonce = Convert.FromBase64String(parts[1]);
            var sealedBytes = Convert.FromBase64String(parts[2]);
            var tagSize = AesGcm.TagByteSizes.MaxSize;
            if (nonce.Length != AesGcm.NonceByteSizes.MaxSize || sealedBytes.Length < tagSize)
            {
                return null;
            }
            var plain = new byte[sealedBytes.Length - tagSize];
            using var aes = new AesGcm(_key, tagSize);
            aes.Decrypt(nonce, sealedBytes.AsSpan(0, plain.Length), sealedBytes.AsSpan(plain.Length), plain, Encoding.UTF8.GetBytes(reference));
            return plain;
        }
        catch (FormatException)
        {
            return null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
