using System.Formats.Asn1;
using System.Security.Cryptography;

namespace AmiPki.Protocols.Cmp;

/// <summary>
/// PBMAC1 (RFC 8018 Appendix A.5, RFC 9481 §6.1.2): key = PBKDF2(secret, salt, iterationCount, keyLength, prf), then
/// MAC = messageAuthScheme(key, ProtectedPart). RFC 9481 requires keyLength; the same iteration and salt bounds apply.
/// </summary>
public sealed class Pbmac1 : IPasswordMac
{
    private readonly byte[] _salt;
    private readonly int _iterations;
    private readonly int _keyLength;
    private readonly HashAlgorithmName _prf;
    private readonly HashAlgorithmName _mac;

    private Pbmac1(byte[] salt, int iterations, int keyLength, HashAlgorithmName prf, HashAlgorithmName mac)
    {
        _salt = salt;
        _iterations = iterations;
        _keyLength = keyLength;
        _prf = prf;
        _mac = mac;
    }

    internal static Pbmac1 Read(AsnReader parameters)
    {
        // PBMAC1-params ::= SEQUENCE { keyDerivationFunc AlgorithmIdentifier {PBKDF2}, messageAuthScheme AlgorithmIdentifier }
        var kdf = parameters.ReadSequence();
        if (kdf.ReadObjectIdentifier() != CmpOids.Pbkdf2)
        {
            throw new CmpRejection(PkiFailureInfo.BadAlg, "PBMAC1 needs PBKDF2 as its key derivation function");
        }
        // PBKDF2-params ::= SEQUENCE { salt OCTET STRING (specified), iterationCount, keyLength OPTIONAL, prf DEFAULT hmacWithSHA1 }
        var pbkdf2 = kdf.ReadSequence();
        if (pbkdf2.PeekTag() != Asn1Tag.PrimitiveOctetString)
        {
            throw new CmpRejection(PkiFailureInfo.BadAlg, "PBKDF2 salt must be specified");
        }
        var salt = pbkdf2.ReadOctetString();
        if (!pbkdf2.TryReadInt32(out var iterations))
        {
            iterations = int.MaxValue;
        }
        PasswordMacs.CheckBounds(iterations, salt.Length);
        var keyLength = 0;
        if (pbkdf2.HasData && pbkdf2.PeekTag() == Asn1Tag.Integer && (!pbkdf2.TryReadInt32(out keyLength) || keyLength is < 16 or > 64))
        {
            throw new CmpRejection(PkiFailureInfo.BadAlg, "PBKDF2 keyLength must be 16..64 bytes");
        }
        if (keyLength == 0)
        {
            throw new CmpRejection(PkiFailureInfo.BadAlg, "PBKDF2 keyLength is required (RFC 9481 §6.1.2)");
        }
        var prf = pbkdf2.HasData ? PasswordMacs.HmacHashOf(PasswordMacs.ReadAlgorithmOid(pbkdf2, out _)) : HashAlgorithmName.SHA1;
        pbkdf2.ThrowIfNotEmpty();
        var mac = PasswordMacs.HmacHashOf(PasswordMacs.ReadAlgorithmOid(parameters, out _));
        parameters.ThrowIfNotEmpty();
        return new Pbmac1(salt, iterations, keyLength, prf, mac);
    }

    /// <summary>For tests and clients: parameters chosen by the caller (bounds still apply).</summary>
    public static Pbmac1 Create(byte[] salt, int iterations, int keyLength, HashAlgorithmName prf, HashAlgorithmName mac)
    {
        PasswordMacs.CheckBounds(iterations, salt.Length);
        return new Pbmac1(salt, iterations, keyLength, prf, mac);
    }

    public byte[] Compute(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> data)
    {
        var key = Rfc2898DeriveBytes.Pbkdf2(secret, _salt, _iterations, _prf, _keyLength);
        var mac = PasswordMacs.Hmac(_mac, key, data);
        CryptographicOperations.ZeroMemory(key);
        return mac;
    }

    public IPasswordMac WithFreshSalt() => new Pbmac1(RandomNumberGenerator.GetBytes(16), _iterations, _keyLength, _prf, _mac);

    public byte[] EncodeAlgorithmIdentifier()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(CmpOids.Pbmac1);
            using (writer.PushSequence())
            {
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(CmpOids.Pbkdf2);
                    using (writer.PushSequence())
                    {
                        writer.WriteOctetString(_salt);
                        writer.WriteInteger(_iterations);
                        writer.WriteInteger(_keyLength);
                        using (writer.PushSequence())
                        {
                            writer.WriteObjectIdentifier(PasswordBasedMac.HmacOid(_prf));
                            writer.WriteNull();
                        }
                    }
                }
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(PasswordBasedMac.HmacOid(_mac));
                    writer.WriteNull();
                }
            }
        }
        return writer.Encode();
    }
}
