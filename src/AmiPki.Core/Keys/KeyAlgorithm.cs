namespace AmiPki.Core.Keys;

/// <summary>The key types AmiPki issues for and signs with.</summary>
public enum KeyAlgorithm
{
    EcP256,
    EcP384,
    EcP521,
    Rsa2048,
    Rsa3072,
    Rsa4096,
}
