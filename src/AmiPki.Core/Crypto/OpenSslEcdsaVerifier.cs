using System.Runtime.InteropServices;
using System.Security.Cryptography;
using AmiPki.Core.Keys;

namespace AmiPki.Core.Crypto;

/// <summary>
/// Verifies a CSR's ECDSA signature with a one-off public key by calling libcrypto's EC_KEY/ECDSA_verify directly.
/// Why not <see cref="ECDsa.ImportSubjectPublicKeyInfo"/>: measured here, importing a fresh key costs ≈130 µs
/// (EC_KEY_check_key multiplies by the group order) and the first EVP verify on it ≈350 µs more (legacy-to-provider
/// key export), against ≈60 µs for this path. Every enrollment brings a new key, so this is the issuance hot path.
/// Safety: the point must decode onto the curve (EC_POINT_oct2point checks it) and must not be the point at infinity;
/// on the prime-order NIST curves that is all EC_KEY_check_key adds (SEC 1 §3.2.2.1 with cofactor 1).
/// </summary>
internal static partial class OpenSslEcdsaVerifier
{
    private const string LibCrypto = "libcrypto.so.3";
    private static readonly Lazy<Curves?> LoadedCurves = new(Load);

    public static bool IsAvailable => LoadedCurves.Value is not null;

    /// <summary>Null when libcrypto is not usable here (the caller falls back to .NET).</summary>
    public static bool? TryVerify(KeyAlgorithm algorithm, ReadOnlySpan<byte> publicPoint, ReadOnlySpan<byte> signedData,
        ReadOnlySpan<byte> derSignature, HashAlgorithmName hash)
    {
        if (LoadedCurves.Value is not { } curves)
        {
            return null;
        }
        var (group, fieldBytes) = algorithm switch
        {
            KeyAlgorithm.EcP256 => (curves.P256, 32),
            KeyAlgorithm.EcP384 => (curves.P384, 48),
            KeyAlgorithm.EcP521 => (curves.P521, 66),
            _ => (IntPtr.Zero, 0),
        };
        if (group == IntPtr.Zero)
        {
            return null;
        }
        // Uncompressed (04 || X || Y) or compressed (02/03 || X); never the one-byte point at infinity.
        var wellFormed = publicPoint.Length switch
        {
            var n when n == 1 + 2 * fieldBytes => publicPoint[0] == 0x04,
            var n when n == 1 + fieldBytes => publicPoint[0] is 0x02 or 0x03,
            _ => false,
        };
        if (!wellFormed || derSignature.Length is 0 or > 160)
        {
            return false;
        }
        Span<byte> digest = stackalloc byte[64];
        var digestLength = hash.Name switch
        {
            "SHA256" => SHA256.HashData(signedData, digest),
            "SHA384" => SHA384.HashData(signedData, digest),
            "SHA512" => SHA512.HashData(signedData, digest),
            _ => -1,
        };
        if (digestLength < 0)
        {
            return false;
        }
        return Verify(group, publicPoint, digest[..digestLength], derSignature);
    }

    private static unsafe bool Verify(IntPtr group, ReadOnlySpan<byte> point, ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature)
    {
        var key = EC_KEY_new();
        if (key == IntPtr.Zero)
        {
            throw new CryptographicException("libcrypto: EC_KEY_new failed");
        }
        try
        {
            if (EC_KEY_set_group(key, group) != 1)
            {
                throw new CryptographicException("libcrypto: EC_KEY_set_group failed");
            }
            fixed (byte* pointBytes = point)
            fixed (byte* digestBytes = digest)
            fixed (byte* signatureBytes = signature)
            {
                var cursor = pointBytes;
                if (o2i_ECPublicKey(ref key, ref cursor, point.Length) == IntPtr.Zero)
                {
                    return false;
                }
                return ECDSA_verify(0, digestBytes, digest.Length, signatureBytes, signature.Length, key) == 1;
            }
        }
        finally
        {
            EC_KEY_free(key);
            ERR_clear_error();
        }
    }

    private static Curves? Load()
    {
        if (!OperatingSystem.IsLinux() || !NativeLibrary.TryLoad(LibCrypto, out _))
        {
            return null;
        }
        try
        {
            // NIDs from OpenSSL's obj_mac.h: prime256v1 415, secp384r1 715, secp521r1 716. Groups are shared read-only;
            // EC_KEY_set_group copies them.
            var curves = new Curves(EC_GROUP_new_by_curve_name(415), EC_GROUP_new_by_curve_name(715), EC_GROUP_new_by_curve_name(716));
            return curves.P256 == IntPtr.Zero ? null : curves;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    private sealed record Curves(IntPtr P256, IntPtr P384, IntPtr P521);

    [LibraryImport(LibCrypto)]
    private static partial IntPtr EC_KEY_new();

    [LibraryImport(LibCrypto)]
    private static partial int EC_KEY_set_group(IntPtr key, IntPtr group);

    [LibraryImport(LibCrypto)]
    private static partial void EC_KEY_free(IntPtr key);

    [LibraryImport(LibCrypto)]
    private static partial IntPtr EC_GROUP_new_by_curve_name(int nid);

    [LibraryImport(LibCrypto)]
    private static unsafe partial IntPtr o2i_ECPublicKey(ref IntPtr key, ref byte* input, long length);

    [LibraryImport(LibCrypto)]
    private static unsafe partial int ECDSA_verify(int type, byte* digest, int digestLength, byte* signature, int signatureLength, IntPtr key);

    [LibraryImport(LibCrypto)]
    private static partial void ERR_clear_error();
}
