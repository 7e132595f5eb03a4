using System.Security.Cryptography;
using AmiPki.Core.Keys;

namespace AmiPki.Keys.Software;

/// <summary>
/// Development key provider: keys as encrypted PKCS#8 files (<see cref="KeyEncryption.AtRest"/>: PBES2, AES-256-CBC, PBKDF2-SHA256) readable by the owner
/// only (0600). Not for production: the key is in this process's memory while it signs.
/// </summary>
public sealed class SoftwareKeyProvider : IKeyProvider
{
    public const string ReferencePrefix = "software:";

    private readonly string _directory;
    private readonly string _passphrase;

    /// <param name="directory">Where key files live (created 0700).</param>
    /// <param name="passphrase">Encrypts every key file (from configuration or AMIPKI_KEY_PASSPHRASE).</param>
    public SoftwareKeyProvider(string directory, string passphrase)
    {
        if (string.IsNullOrEmpty(passphrase))
        {
            throw new KeyProviderException("software key provider: no key passphrase (set AMIPKI_KEY_PASSPHRASE or AmiPki:KeyPassphrase)");
        }
        _directory = directory;
        _passphrase = passphrase;
    }

    public string Name => "software";

    public ISigningKey Generate(string label, KeyAlgorithm algorithm)
    {
        var path = PathOf(label);
        if (File.Exists(path))
        {
            throw new KeyProviderException($"software key provider: key '{label}' already exists at {path}; refusing to overwrite it");
        }
        Directory.CreateDirectory(_directory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        AsymmetricAlgorithm key = algorithm switch
        {
            KeyAlgorithm.EcP256 => ECDsa.Create(ECCurve.NamedCurves.nistP256),
            KeyAlgorithm.EcP384 => ECDsa.Create(ECCurve.NamedCurves.nistP384),
            KeyAlgorithm.EcP521 => ECDsa.Create(ECCurve.NamedCurves.nistP521),
            KeyAlgorithm.Rsa2048 => RSA.Create(2048),
            KeyAlgorithm.Rsa3072 => RSA.Create(3072),
            KeyAlgorithm.Rsa4096 => RSA.Create(4096),
            _ => throw new KeyProviderException($"software key provider: unsupported algorithm {algorithm}"),
        };
        var encrypted = key.ExportEncryptedPkcs8PrivateKeyPem(_passphrase, KeyEncryption.AtRest);
        // Create the file 0600 before any byte of the key is written to it.
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var stream = new FileStream(path, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(encrypted);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }
        return new SoftwareSigningKey(ReferencePrefix + label, algorithm, key);
    }

    public ISigningKey Open(string keyReference)
    {
        if (!keyReference.StartsWith(ReferencePrefix, StringComparison.Ordinal))
        {
            throw new KeyProviderException($"software key provider: '{keyReference}' is not a software key reference");
        }
        var label = keyReference[ReferencePrefix.Length..];
        var path = PathOf(label);
        if (!File.Exists(path))
        {
            throw new KeyProviderException($"software key provider: key '{label}' not found at {path}");
        }
        var pem = File.ReadAllText(path);
        AsymmetricAlgorithm key;
        try
        {
            var ecdsa = ECDsa.Create();
            try
            {
                ecdsa.ImportFromEncryptedPem(pem, _passphrase);
                key = ecdsa;
            }
            catch (CryptographicException) when (!IsWrongPassphrase(pem))
            {
                ecdsa.Dispose();
                var rsa = RSA.Create();
                rsa.ImportFromEncryptedPem(pem, _passphrase);
                key = rsa;
            }
        }
        catch (CryptographicException e)
        {
            throw new KeyProviderException($"software key provider: cannot decrypt key '{label}' at {path} (wrong passphrase?)", e);
        }
        return new SoftwareSigningKey(keyReference, AlgorithmOf(key), key);
    }

    private bool IsWrongPassphrase(string pem)
    {
        try
        {
            using var probe = RSA.Create();
            probe.ImportFromEncryptedPem(pem, _passphrase);
            return false;
        }
        catch (CryptographicException)
        {
            return true;
        }
    }

    private static KeyAlgorithm AlgorithmOf(AsymmetricAlgorithm key) => key switch
    {
        ECDsa { KeySize: 256 } => KeyAlgorithm.EcP256,
        ECDsa { KeySize: 384 } => KeyAlgorithm.EcP384,
        ECDsa { KeySize: 521 } => KeyAlgorithm.EcP521,
        RSA { KeySize: 2048 } => KeyAlgorithm.Rsa2048,
        RSA { KeySize: 3072 } => KeyAlgorithm.Rsa3072,
        RSA { KeySize: 4096 } => KeyAlgorithm.Rsa4096,
        _ => throw new KeyProviderException($"software key provider: unsupported key of {key.KeySize} bits"),
    };

    private string PathOf(string label)
    {
        if (label.Length == 0 || label.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) || label.StartsWith('.'))
        {
            throw new KeyProviderException($"software key provider: invalid key label '{label}'");
        }
        return Path.Combine(_directory, label + ".p8.pem");
    }
}
