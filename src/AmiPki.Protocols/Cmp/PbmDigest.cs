using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace AmiPki.Protocols.Cmp;

/// <summary>
/// The iterated one-way function of PasswordBasedMac (RFC 4210 §5.1.3.1): BASEKEY = H^n(secret || salt). With n up to
/// 100,000 and openssl's default 500, the per-call overhead of .NET hashing on OpenSSL 3 (an EVP fetch and context per
/// digest, ~1 µs) dominates. Every iteration after the first hashes exactly one digest, which with its FIPS 180-4 §5.1
/// padding is one message block whose padding and length never change: so the block is padded once, and each iteration
/// is a single compression (libcrypto's SHA*_Transform, one native call without a GC transition) from the initial hash
/// value, the new chaining value written big-endian back into the block. Falls back to <see cref="IncrementalHash"/>
/// where libcrypto is not usable or does not reproduce it (checked once against .NET for every hash).
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
        IterateManaged(hash, secret, salt, iterations, key);
    }

    private static void IterateManaged(HashAlgorithmName hash, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> salt, int iterations, Span<byte> key)
    {
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

    private enum Family
    {
        Sha1,
        Sha256,
        Sha384,
        Sha512,
    }

    private static bool IterateNative(HashAlgorithmName hash, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> salt, int iterations, Span<byte> key)
    {
        Family family;
        switch (hash.Name)
        {
            case "SHA1": family = Family.Sha1; break;
            case "SHA256": family = Family.Sha256; break;
            case "SHA384": family = Family.Sha384; break;
            case "SHA512": family = Family.Sha512; break;
            default: return false;
        }
        // Digest, block and chaining-state sizes in bytes (FIPS 180-4 §1): SHA-1 keeps 5 32-bit words, SHA-256 8,
        // SHA-384/512 8 64-bit words (SHA-384 outputs the first 6).
        var (digestSize, blockSize, stateSize) = family switch
        {
            Family.Sha1 => (20, 64, 20),
            Family.Sha256 => (32, 64, 32),
            Family.Sha384 => (48, 128, 64),
            _ => (64, 128, 64),
        };
        if (key.Length != digestSize)
        {
            return false;
        }
        Span<byte> context = stackalloc byte[ContextSize];
        Span<byte> initial = stackalloc byte[64];
        Span<byte> block = stackalloc byte[128];
        context.Clear();
        block.Clear();
        try
        {
            // Iteration 1: H(secret || salt), of any length, through Init/Update/Final.
            ref var ctx = ref MemoryMarshal.GetReference(context);
            byte none = 0;
            ref var secretRef = ref secret.IsEmpty ? ref none : ref MemoryMarshal.GetReference(secret);
            ref var saltRef = ref salt.IsEmpty ? ref none : ref MemoryMarshal.GetReference(salt);
            ref var blockRef = ref MemoryMarshal.GetReference(block);
            var first = family switch
            {
                Family.Sha1 => SHA1_Init(ref ctx) == 1 && SHA1_Update(ref ctx, ref secretRef, (nuint)secret.Length) == 1
                               && SHA1_Update(ref ctx, ref saltRef, (nuint)salt.Length) == 1 && SHA1_Final(ref blockRef, ref ctx) == 1
                               && SHA1_Init(ref ctx) == 1,
                Family.Sha256 => SHA256_Init(ref ctx) == 1 && SHA256_Update(ref ctx, ref secretRef, (nuint)secret.Length) == 1
                                 && SHA256_Update(ref ctx, ref saltRef, (nuint)salt.Length) == 1 && SHA256_Final(ref blockRef, ref ctx) == 1
                                 && SHA256_Init(ref ctx) == 1,
                Family.Sha384 => SHA384_Init(ref ctx) == 1 && SHA384_Update(ref ctx, ref secretRef, (nuint)secret.Length) == 1
                                 && SHA384_Update(ref ctx, ref saltRef, (nuint)salt.Length) == 1 && SHA384_Final(ref blockRef, ref ctx) == 1
                                 && SHA384_Init(ref ctx) == 1,
                _ => SHA512_Init(ref ctx) == 1 && SHA512_Update(ref ctx, ref secretRef, (nuint)secret.Length) == 1
                     && SHA512_Update(ref ctx, ref saltRef, (nuint)salt.Length) == 1 && SHA512_Final(ref blockRef, ref ctx) == 1
                     && SHA512_Init(ref ctx) == 1,
            };
            if (!first)
            {
                return false;
            }
            // The state right after Init is the initial hash value H(0) (FIPS 180-4 §5.3): the chaining words come first in
            // every SHA*_CTX of openssl/sha.h, in host order.
            context[..stateSize].CopyTo(initial);
            // Padding of a digestSize-byte message (FIPS 180-4 §5.1): 0x80, zeros, the bit length big-endian at the end.
            block[digestSize] = 0x80;
            BinaryPrimitives.WriteUInt64BigEndian(block.Slice(blockSize - 8, 8), (ulong)digestSize * 8);
            for (var i = 1; i < iterations; i++)
            {
                initial[..stateSize].CopyTo(context);
                switch (family)
                {
                    case Family.Sha1:
                        SHA1_Transform(ref ctx, ref blockRef);
                        break;
                    case Family.Sha256:
                        SHA256_Transform(ref ctx, ref blockRef);
                        break;
                    default:
                        SHA512_Transform(ref ctx, ref blockRef);
                        break;
                }
                if (blockSize == 64)
                {
                    for (var w = 0; w < digestSize; w += 4)
                    {
                        BinaryPrimitives.WriteUInt32BigEndian(block.Slice(w, 4), MemoryMarshal.Read<uint>(context.Slice(w, 4)));
                    }
                }
                else
                {
                    for (var w = 0; w < digestSize; w += 8)
                    {
                        BinaryPrimitives.WriteUInt64BigEndian(block.Slice(w, 8), MemoryMarshal.Read<ulong>(context.Slice(w, 8)));
                    }
                }
            }
            block[..digestSize].CopyTo(key);
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(context);
            CryptographicOperations.ZeroMemory(block);
        }
    }

    /// <summary>Native only if it reproduces .NET's hashing for every family, on a little-endian host (the state is read in host order).</summary>
    private static bool Probe()
    {
        if (!BitConverter.IsLittleEndian)
        {
            return false;
        }
        try
        {
            Span<byte> expected = stackalloc byte[64];
            Span<byte> actual = stackalloc byte[64];
            foreach (var (hash, size) in new[] { (HashAlgorithmName.SHA1, 20), (HashAlgorithmName.SHA256, 32), (HashAlgorithmName.SHA384, 48), (HashAlgorithmName.SHA512, 64) })
            {
                IterateManaged(hash, "amipki"u8, "probe-salt"u8, 3, expected[..size]);
                if (!IterateNative(hash, "amipki"u8, "probe-salt"u8, 3, actual[..size]) || !actual[..size].SequenceEqual(expected[..size]))
                {
                    return false;
                }
            }
            return true;
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

    /// <summary>One 64-byte block; a few hundred nanoseconds at most, so no GC transition is needed.</summary>
    [DllImport(LibCrypto), SuppressGCTransition]
    private static extern void SHA1_Transform(ref byte context, ref byte block);

    [DllImport(LibCrypto)]
    private static extern int SHA256_Init(ref byte context);

    [DllImport(LibCrypto)]
    private static extern int SHA256_Update(ref byte context, ref byte data, nuint length);

    [DllImport(LibCrypto)]
    private static extern int SHA256_Final(ref byte digest, ref byte context);

    [DllImport(LibCrypto), SuppressGCTransition]
    private static extern void SHA256_Transform(ref byte context, ref byte block);

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

    /// <summary>One 128-byte block, for SHA-384 too (it shares SHA512_CTX and the compression function).</summary>
    [DllImport(LibCrypto), SuppressGCTransition]
    private static extern void SHA512_Transform(ref byte context, ref byte block);
#pragma warning restore SYSLIB1054
}
