using System.Security.Cryptography;

namespace AmiPki.Core.Keys;

/// <summary>
/// How AmiPki encrypts private keys it holds in software: PKCS#8 EncryptedPrivateKeyInfo, PBES2 with AES-256-CBC and
/// PBKDF2-SHA256 over the key passphrase (<c>AMIPKI_KEY_PASSPHRASE</c>). The software key provider's CA key files and the
/// operational identities in storage (<see cref="Operations.OperationalKeyProtector"/>) both use these parameters.
/// </summary>
public static class KeyEncryption
{
    public const int Pbkdf2Iterations = 200_000;

    public static PbeParameters AtRest { get; } = new(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, Pbkdf2Iterations);
}
