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
/// value, the new chaining value written big-endian back into the block. One loop serves every hash: a
/// <see cref="Shape"/> says its sizes and which libcrypto functions give the initial value and compress. Falls back to
/// <see cref="IncrementalHash"/> where libcrypto is not usable or does not reproduce it (checked once against .NET for
/// every hash).
/// </summary>
internal static class PbmDigest
{
    private const string LibCrypto = "libcrypto.so.3";

    /// <summary>Large enough for SHA512_CTX (216 bytes) and every smaller context.</summary>
    private const int ContextSize = 256;

    /// <summary>H(secret || salt) is hashed from the stack up to this many input bytes.</summary>
    private const int StackInput = 512;

    private static readonly Lazy<bool> Native = new(Probe);

    /// <summary>
    /// Sizes in bytes (FIPS 180-4 §1): the digest; the block (64, or 128 for SHA-384/512, whose chaining words are 64-bit);
    /// and the chaining state, SHA-1's 5 words, SHA-256's 8, SHA-384/512's 8 (SHA-384 outputs the first 6). SHA-384 shares
    /// SHA-512's compression, from its own initial value.
    /// </summary>
    private sealed record Shape(int DigestSize, int BlockSize, int StateSize, Initializer Init, Compressor Compress);

    private delegate int Initializer(ref byte context);

    private delegate void Compressor(ref byte context, ref byte block);

    private static readonly Dictionary<string, Shape> Shapes = new(StringComparer.Ordinal)
    {
        ["SHA1"] = new Shape(20, 64, 20, SHA1_Init, SHA1_Transform),
        ["SHA256"] = new Shape(32, 64, 32, SHA256_Init, SHA256_Transform),
        ["SHA384"] = new Shape(48, 128, 64, SHA384_Init, SHA512_Transform),
        ["SHA512"] = new Shape(64, 128, 64, SHA512_Init, SHA512_Transform),
    };

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

    private static bool IterateNative(HashAlgorithmName hash, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> salt, int iterations, Span<byte> key)
    {
        if (hash.Name is not { } name || !Shapes.TryGetValue(name, out var shape) || key.Length != shape.DigestSize)
        {
            return false;
        }
        var inputLength = secret.Length + salt.Length;
        Span<byte> input = inputLength <= StackInput ? stackalloc byte[StackInput] : new byte[inputLength];
        Span<byte> context = stackalloc byte[ContextSize];
        Span<byte> initial = stackalloc byte[64];
        Span<byte> block = stackalloc byte[128];
        context.Clear();
        block.Clear();
        try
        {
            // Iteration 1: H(secret || salt), of any length, in one .NET call.
            secret.CopyTo(input);
            salt.CopyTo(input[secret.Length..]);
            CryptographicOperations.HashData(hash, input[..inputLength], block);
            // The state right after Init is the initial hash value H(0) (FIPS 180-4 §5.3): the chaining words come first in
            // every SHA*_CTX of openssl/sha.h, in host order.
            ref var ctx = ref MemoryMarshal.GetReference(context);
            ref var blockRef = ref MemoryMarshal.GetReference(block);
            if (shape.Init(ref ctx) != 1)
            {
                return false;
            }
            context[..shape.StateSize].CopyTo(initial);
            // Padding of a DigestSize-byte message (FIPS 180-4 §5.1): 0x80, zeros, the bit length big-endian at the end.
            block[shape.DigestSize] = 0x80;
            BinaryPrimitives.WriteUInt64BigEndian(block.Slice(shape.BlockSize - 8, 8), (ulong)shape.DigestSize * 8);
            var state = context[..shape.DigestSize];
            var message = block[..shape.DigestSize];
            for (var i = 1; i < iterations; i++)
            {
                initial[..shape.StateSize].CopyTo(context);
                shape.Compress(ref ctx, ref blockRef);
                // The chaining words, host order, become the next message, big-endian.
                if (shape.BlockSize == 64)
                {
                    BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, uint>(state), MemoryMarshal.Cast<byte, uint>(message));
                }
                else
                {
                    BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, ulong>(state), MemoryMarshal.Cast<byte, ulong>(message));
                }
            }
            message.CopyTo(key);
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
            CryptographicOperations.ZeroMemory(context);
            CryptographicOperations.ZeroMemory(block);
        }
    }

    /// <summary>Native only if it reproduces .NET's hashing for every hash, on a little-endian host (the state is read in host order).</summary>
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
            foreach (var (name, shape) in Shapes)
            {
                var hash = new HashAlgorithmName(name);
                IterateManaged(hash, "amipki"u8, "probe-salt"u8, 3, expected[..shape.DigestSize]);
                if (!IterateNative(hash, "amipki"u8, "probe-salt"u8, 3, actual[..shape.DigestSize])
                    || !actual[..shape.DigestSize].SequenceEqual(expected[..shape.DigestSize]))
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

    /// <summary>One 64-byte block; a few hundred nanoseconds at most, so no GC transition is needed.</summary>
    [DllImport(LibCrypto), SuppressGCTransition]
    private static extern void SHA1_Transform(ref byte context, ref byte block);

    [DllImport(LibCrypto)]
    private static extern int SHA256_Init(ref byte context);

    [DllImport(LibCrypto), SuppressGCTransition]
    private static extern void SHA256_Transform(ref byte context, ref byte block);

    [DllImport(LibCrypto)]
    private static extern int SHA384_Init(ref byte context);

    [DllImport(LibCrypto)]
    private static extern int SHA512_Init(ref byte context);

    /// <summary>One 128-byte block, for SHA-384 too (it shares SHA512_CTX and the compression function).</summary>
    [DllImport(LibCrypto), SuppressGCTransition]
    private static extern void SHA512_Transform(ref byte context, ref byte block);
#pragma warning restore SYSLIB1054
}
