using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace AmiPki.Protocols.Cmp;

/// <summary>
/// The iterated one-way function of PasswordBasedMac (RFC 4210 §5.1.3.1): BASEKEY = H^n(secret || salt). With n up to
/// 100,000 and openssl's default 500, the per-call overhead of .NET hashing on OpenSSL 3 (an EVP fetch and context per
/// digest, ~1 µs) dominates; libcrypto's one-context SHA1/SHA256/SHA384/SHA512 Init/Update/Final functions do each
/// iteration in a fraction of that. Falls back to <see cref="IncrementalHash"/> where libcrypto is not usable.
/// </summary>
internal static class PbmDigest
{
    private const string LibCrypto = "libcrypto.so.3";

    /// <summary>Large enough for SHA512_CTX (216 bytes) and every smaller context.</summary>
    private const int ContextSize = 256;

    private static readonly Lazy<bool> Native = new(Probe);

    public static void Iterate(HashAlgorithmName hash, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> salt, int iterations, Span<byte> key)
    {
        if (Native.Value && IterateNative(hash, secret, salt, iterations, key))
        {
            return;
        }
        using var digest = IncrementalHash.CreateHash(hash);
        digest.AppendData(secret);
        digest.AppendData(salt);
        digest.GetHashAndReset(key);
        for (var i = 1; i < iterations; i++)
        {
            digest.AppendData(key);
            digest.GetHashAndReset(key);
        }
    }

    private static bool IterateNative(HashAlgorithmName hash, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> salt, int iterations, Span<byte> key)
    {
        Span<byte> context = stackalloc byte[ContextSize];
        ref var ctx = ref MemoryMarshal.GetReference(context);
        ref var output = ref MemoryMarshal.GetReference(key);
        // Empty spans would hand a null reference to libcrypto; Update with length 0 never reads it, but use a real byte anyway.
        byte none = 0;
        ref var secretRef = ref secret.IsEmpty ? ref none : ref MemoryMarshal.GetReference(secret);
        ref var saltRef = ref salt.IsEmpty ? ref none : ref MemoryMarshal.GetReference(salt);
        var ok = hash.Name switch
        {
            "SHA1" => Loop(ref ctx, ref secretRef, secret.Length, ref saltRef, salt.Length, ref output, key.Length, iterations, SHA1_Init, SHA1_Update, SHA1_Final),
            "SHA256" => Loop(ref ctx, ref secretRef, secret.Length, ref saltRef, salt.Length, ref output, key.Length, iterations, SHA256_Init, SHA256_Update, SHA256_Final),
            "SHA384" => Loop(ref ctx, ref secretRef, secret.Length, ref saltRef, salt.Length, ref output, key.Length, iterations, SHA384_Init, SHA384_Update, SHA384_Final),
            "SHA512" => Loop(ref ctx, ref secretRef, secret.Length, ref saltRef, salt.Length, ref output, key.Length, iterations, SHA512_Init, SHA512_Update, SHA512_Final),
            _ => false,
        };
        CryptographicOperations.ZeroMemory(context);
        return ok;
    }

    private delegate int InitFunction(ref byte context);

    private delegate int UpdateFunction(ref byte context, ref byte data, nuint length);

    private delegate int FinalFunction(ref byte digest, ref byte context);

    private static bool Loop(ref byte context, ref byte secret, int secretLength, ref byte salt, int saltLength, ref byte key, int keyLength, int iterations,
        InitFunction init, UpdateFunction update, FinalFunction final)
    {
        if (init(ref context) != 1 || update(ref context, ref secret, (nuint)secretLength) != 1 || update(ref context, ref salt, (nuint)saltLength) != 1
            || final(ref key, ref context) != 1)
        {
            return false;
        }
        for (var i = 1; i < iterations; i++)
        {
            if (init(ref context) != 1 || update(ref context, ref key, (nuint)keyLength) != 1 || final(ref key, ref context) != 1)
            {
                return false;
            }
        }
        return true;
    }

    private static bool Probe()
    {
        try
        {
            Span<byte> expected = stackalloc byte[32];
            Span<byte> actual = stackalloc byte[32];
            SHA256.HashData(SHA256.HashData("amipki"u8), expected);
            return IterateNative(HashAlgorithmName.SHA256, "amip"u8, "ki"u8, 2, actual) && actual.SequenceEqual(expected);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

#pragma warning disable SYSLIB1054 // DllImport with ref parameters needs no unsafe code in this project.
    [DllImport(LibCrypto)]
    private static extern int SHA1_Init(ref byte context);

    [DllImport(LibCrypto)]
    private static extern int SHA1_Update(ref byte context, ref byte data, nuint length);

    [DllImport(LibCrypto)]
    private static extern int SHA1_Final(ref byte digest, ref byte context);

    [DllImport(LibCrypto)]
    private static extern int SHA256_Init(ref byte context);

    [DllImport(LibCrypto)]
    private static extern int SHA256_Update(ref byte context, ref byte data, nuint length);

    [DllImport(LibCrypto)]
    private static extern int SHA256_Final(ref byte digest, ref byte context);

    [DllImport(LibCrypto)]
    private static extern int SHA384_Init(ref byte context);

    [DllImport(LibCrypto)]
    private static extern int SHA384_Update(ref byte context, ref byte data, nuint length);

    [DllImport(LibCrypto)]
    private static extern int SHA384_Final(ref byte digest, ref byte context);

    [DllImport(LibCrypto)]
    private static extern int SHA512_Init(ref byte context);

    [DllImport(LibCrypto)]
    private static extern int SHA512_Update(ref byte context, ref byte data, nuint length);

    [DllImport(LibCrypto)]
    private static extern int SHA512_Final(ref byte digest, ref byte context);
#pragma warning restore SYSLIB1054
}
