namespace AmiPki.Keys.Pkcs11;

/// <summary>Configuration of a <see cref="Pkcs11KeyProvider"/>: which module, which token, which PIN, how many sessions.</summary>
public sealed class Pkcs11ProviderOptions
{
    /// <summary>The largest pool accepted; tokens commonly cap sessions far lower (CK_TOKEN_INFO.ulMaxSessionCount).</summary>
    public const int MaxSessionPoolSize = 256;

    /// <summary>Path of the PKCS#11 module, e.g. <c>/usr/lib/softhsm/libsofthsm2.so</c>.</summary>
    public required string ModulePath { get; init; }

    /// <summary>The token's label (CK_TOKEN_INFO.label), e.g. <c>amipki-online</c>.</summary>
    public required string TokenLabel { get; init; }

    /// <summary>Where the user PIN comes from.</summary>
    public required Pkcs11PinSource PinSource { get; init; }

    /// <summary>
    /// How many sessions may sign at once. A session runs one operation at a time (PKCS#11 v2.40 §5.6),
    /// so this caps signing concurrency; twice the core count keeps the token busy while callers hash.
    /// </summary>
    public int SessionPoolSize { get; init; } = Math.Max(2, 2 * Environment.ProcessorCount);
}
