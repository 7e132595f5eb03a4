using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Keys;

namespace AmiPki.Core.Operations;

/// <summary>
/// Encrypts operational identities' private keys for storage exactly as the software key provider encrypts CA keys
/// (<see cref="KeyEncryption.AtRest"/>: PKCS#8 PBES2, AES-256-CBC, PBKDF2-SHA256, 200,000 iterations) under the same key
/// passphrase (<c>AMIPKI_KEY_PASSPHRASE</c>): a copy of the database alone reveals no key.
/// </summary>
public sealed class OperationalKeyProtector
{
    private readonly string _passphrase;

    public OperationalKeyProtector(string passphrase)
    {
        ArgumentException.ThrowIfNullOrEmpty(passphrase);
        _passphrase = passphrase;
    }

    /// <summary>The key as a DER EncryptedPrivateKeyInfo.</summary>
    public byte[] Protect(AsymmetricAlgorithm key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.ExportEncryptedPkcs8PrivateKey(_passphrase, KeyEncryption.AtRest);
    }

    /// <summary>Decrypts a key stored by <see cref="Protect"/> for the certificate it belongs to (RSA or EC, by the certificate's key).</summary>
    /// <exception cref="CryptographicException">Wrong passphrase, damaged blob, or a key that is not the certificate's.</exception>
    public AsymmetricAlgorithm Unprotect(byte[] encryptedKey, byte[] certificateDer)
    {
        ArgumentNullException.ThrowIfNull(encryptedKey);
        ArgumentNullException.ThrowIfNull(certificateDer);
        using var certificate = X509CertificateLoader.LoadCertificate(certificateDer);
        AsymmetricAlgorithm key = certificate.GetKeyAlgorithm() switch
        {
            "1.2.840.10045.2.1" => ECDsa.Create(),
            "1.2.840.113549.1.1.1" => RSA.Create(),
            var other => throw new CryptographicException($"unsupported operational key algorithm {other}"),
        };
        try
        {
            switch (key)
            {
                case ECDsa ec:
                    ec.ImportEncryptedPkcs8PrivateKey(_passphrase, encryptedKey, out _);
                    break;
                case RSA rsa:
                    rsa.ImportEncryptedPkcs8PrivateKey(_passphrase, encryptedKey, out _);
                    break;
            }
            if (!key.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(certificate.PublicKey.ExportSubjectPublicKeyInfo()))
            {
                throw new CryptographicException($"the stored key is not the key of certificate {certificate.SerialNumber}");
            }
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }
}
