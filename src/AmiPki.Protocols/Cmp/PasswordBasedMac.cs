using System.Formats.Asn1;
using System.Security.Cryptography;

namespace AmiPki.Protocols.Cmp;

/// <summary>
/// PasswordBasedMac (RFC 4210 §5.1.3.1, RFC 9481 §6.1.1): BASEKEY = OWF^iterationCount(secret || salt), then
/// MAC = HMAC(BASEKEY, ProtectedPart). PBMParameter ::= SEQUENCE { salt, owf, iterationCount, mac }.
/// </summary>
public sealed class PasswordBasedMac : IPasswordMac
{
    private readonly byte[] _salt;
    private readonly ReadOnlyMemory<byte> _owfDer;
    private readonly HashAlgorithmName _owf;
    private readonly int _iterations;
    private readonly ReadOnlyMemory<byte> _macDer;
    private readonly HashAlgorithmName _mac;

    private PasswordBasedMac(byte[] salt, ReadOnlyMemory<byte> owfDer, HashAlgorithmName owf, int iterations, ReadOnlyMemory<byte> macDer, HashAlgorithmName mac)
    {
        _salt = salt;
        _owfDer = owfDer;
        _owf = owf;
        _iterations = iterations;
        _macDer = macDer;
        _mac = mac;
    }

    public int Iterations => _iterations;

    internal static PasswordBasedMac Read(AsnReader parameters)
    {
        var salt = parameters.ReadOctetString();
        var owf = PasswordMacs.HashOf(PasswordMacs.ReadAlgorithmOid(parameters, out var owfDer));
        if (!parameters.TryReadInt32(out var iterations))
        {
            iterations = int.MaxValue;
        }
        // Bounds first: nothing is hashed for out-of-range parameters.
        PasswordMacs.CheckBounds(iterations, salt.Length);
        var mac = PasswordMacs.HmacHashOf(PasswordMacs.ReadAlgorithmOid(parameters, out var macDer));
        parameters.ThrowIfNotEmpty();
        return new PasswordBasedMac(salt, owfDer.ToArray(), owf, iterations, macDer.ToArray(), mac);
    }

    /// <summary>For tests and clients: parameters chosen by the caller (bounds still apply).</summary>
    public static PasswordBasedMac Create(byte[] salt, int iterations, HashAlgorithmName owf, HashAlgorithmName mac)
    {
        PasswordMacs.CheckBounds(iterations, salt.Length);
        return new PasswordBasedMac(salt, AlgorithmIdentifier(HashOid(owf)), owf, iterations, AlgorithmIdentifier(HmacOid(mac)), mac);
    }

    public byte[] Compute(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> data)
    {
        var size = _owf.Name switch { "SHA1" => 20, "SHA256" => 32, "SHA384" => 48, _ => 64 };
        Span<byte> key = stackalloc byte[size];
        PbmDigest.Iterate(_owf, secret, _salt, _iterations, key);
        var mac = PasswordMacs.Hmac(_mac, key, data);
        CryptographicOperations.ZeroMemory(key);
        return mac;
    }

    public IPasswordMac WithFreshSalt() => new PasswordBasedMac(RandomNumberGenerator.GetBytes(16), _owfDer, _owf, _iterations, _macDer, _mac);

    public byte[] EncodeAlgorithmIdentifier()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(CmpOids.PasswordBasedMac);
            using (writer.PushSequence())
            {
                writer.WriteOctetString(_salt);
                writer.WriteEncodedValue(_owfDer.Span);
                writer.WriteInteger(_iterations);
                writer.WriteEncodedValue(_macDer.Span);
            }
        }
        return writer.Encode();
    }

    internal static byte[] AlgorithmIdentifier(string oid)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(oid);
        }
        return writer.Encode();
    }

    private static string HashOid(HashAlgorithmName hash) => hash.Name switch
    {
        "SHA1" => CmpOids.Sha1,
        "SHA256" => CmpOids.Sha256,
        "SHA384" => CmpOids.Sha384,
        _ => CmpOids.Sha512,
    };

    internal static string HmacOid(HashAlgorithmName hash) => hash.Name switch
    {
        "SHA1" => CmpOids.HmacWithSha1,
        "SHA256" => CmpOids.HmacWithSha256,
        "SHA384" => CmpOids.HmacWithSha384,
        _ => CmpOids.HmacWithSha512,
    };
}
