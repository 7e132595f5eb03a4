namespace AmiPki.Core.Keys;

/// <summary>A key provider failed: a missing key or token, a wrong PIN or passphrase, a module error.</summary>
public sealed class KeyProviderException : Exception
{
    public KeyProviderException(string message) : base(message) { }

    public KeyProviderException(string message, Exception inner) : base(message, inner) { }
}
