using System.Text;
using AmiPki.Core.Keys;

namespace AmiPki.Keys.Pkcs11;

/// <summary>
/// Where the token's user PIN comes from: an environment variable or a file, never a literal. A PIN on a
/// command line is visible to every user through /proc/*/cmdline and lands in shell history.
/// The PIN is read again at every login, so a rotated PIN file is picked up on reconnect.
/// </summary>
public sealed class Pkcs11PinSource
{
    private const string EnvironmentPrefix = "env:";
    private const string FilePrefix = "file:";

    private readonly string? _variable;
    private readonly string? _path;

    private Pkcs11PinSource(string? variable, string? path)
    {
        _variable = variable;
        _path = path;
    }

    /// <summary>Reads the PIN from the environment variable <paramref name="variable"/>.</summary>
    public static Pkcs11PinSource FromEnvironment(string variable)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(variable);
        return new Pkcs11PinSource(variable, null);
    }

    /// <summary>Reads the PIN from the first line of the file at <paramref name="path"/>.</summary>
    public static Pkcs11PinSource FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return new Pkcs11PinSource(null, Path.GetFullPath(path));
    }

    /// <summary>
    /// Parses the configuration form <c>env:VARIABLE</c> or <c>file:/path/to/pin</c>. Anything else is
    /// refused, so a PIN typed where its source was expected is never used as one.
    /// </summary>
    public static Pkcs11PinSource Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.StartsWith(EnvironmentPrefix, StringComparison.Ordinal) && text.Length > EnvironmentPrefix.Length)
        {
            return FromEnvironment(text[EnvironmentPrefix.Length..]);
        }
        if (text.StartsWith(FilePrefix, StringComparison.Ordinal) && text.Length > FilePrefix.Length)
        {
            return FromFile(text[FilePrefix.Length..]);
        }
        // Deliberately does not echo the text: it may be a PIN typed in the wrong place.
        throw new FormatException("a PKCS#11 PIN source must be 'env:VARIABLE' or 'file:PATH'");
    }

    /// <summary>Names the source for messages, never the PIN: <c>environment variable X</c> or <c>file Y</c>.</summary>
    public override string ToString() => _variable is not null ? $"environment variable {_variable}" : $"file {_path}";

    /// <summary>The configuration form accepted by <see cref="Parse"/>.</summary>
    public string ToConfigurationString() => _variable is not null ? EnvironmentPrefix + _variable : FilePrefix + _path;

    /// <summary>The PIN as UTF-8 (CK_UTF8CHAR, PKCS#11 v2.40 §5.6 C_Login); the caller zeroes it after use.</summary>
    /// <exception cref="KeyProviderException">The variable is unset or empty, or the file is missing, unreadable or empty.</exception>
    internal byte[] Read()
    {
        string? pin;
        if (_variable is not null)
        {
            pin = Environment.GetEnvironmentVariable(_variable);
            if (string.IsNullOrEmpty(pin))
            {
                throw new KeyProviderException($"PKCS#11 PIN: environment variable {_variable} is not set");
            }
            return Encoding.UTF8.GetBytes(pin);
        }

        try
        {
            if (!OperatingSystem.IsWindows() &&
                (File.GetUnixFileMode(_path!) & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            {
                // Same rule as ssh for private keys: a PIN every local user can read protects nothing.
                throw new KeyProviderException($"PKCS#11 PIN file {_path} is readable by other users: chmod 600 it");
            }
            var bytes = File.ReadAllBytes(_path!);
            var length = Array.IndexOf(bytes, (byte)'\n');
            length = length < 0 ? bytes.Length : length;
            // An editor's trailing "\r\n" or "\n" is not part of the PIN.
            if (length > 0 && bytes[length - 1] == (byte)'\r')
            {
                length--;
            }
            var pinBytes = bytes[..length];
            Array.Clear(bytes);
            if (pinBytes.Length == 0)
            {
                throw new KeyProviderException($"PKCS#11 PIN file {_path} is empty");
            }
            return pinBytes;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeyProviderException($"PKCS#11 PIN file {_path} cannot be read: {e.Message}", e);
        }
    }
}
