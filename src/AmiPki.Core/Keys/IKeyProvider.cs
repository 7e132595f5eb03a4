namespace AmiPki.Core.Keys;

/// <summary>Creates and opens CA signing keys: <c>software</c> (development) or <c>pkcs11</c> (HSM).</summary>
public interface IKeyProvider
{
    /// <summary>The provider's configuration name: <c>software</c> or <c>pkcs11</c>.</summary>
    string Name { get; }

    /// <summary>Generates a new key named <paramref name="label"/>; refuses to overwrite an existing one.</summary>
    ISigningKey Generate(string label, KeyAlgorithm algorithm);

    /// <summary>Opens the key a previous <see cref="Generate"/> returned the reference of.</summary>
    ISigningKey Open(string keyReference);
}
