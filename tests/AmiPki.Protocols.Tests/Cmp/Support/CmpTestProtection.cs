using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Text;
using AmiPki.Protocols.Cmp;

namespace AmiPki.Protocols.Tests.Cmp.Support;

/// <summary>How a test request is protected: a password-based MAC under a reference, or an ECDSA signature with a certificate.</summary>
public sealed class CmpTestProtection
{
    private readonly Func<byte[], byte[]> _protect;

    private CmpTestProtection(byte[] algorithmIdentifier, byte[]? senderKid, IReadOnlyList<byte[]> extraCerts, Func<byte[], byte[]> protect)
    {
        AlgorithmIdentifier = algorithmIdentifier;
        SenderKid = senderKid;
        ExtraCerts = extraCerts;
        _protect = protect;
    }

    public byte[] AlgorithmIdentifier { get; }

    public byte[]? SenderKid { get; }

    public IReadOnlyList<byte[]> ExtraCerts { get; }

    public byte[] Protect(byte[] protectedPart) => _protect(protectedPart);

    public static CmpTestProtection Mac(string reference, string secret, IPasswordMac? mac = null)
    {
        mac ??= PasswordBasedMac.Create(RandomNumberGenerator.GetBytes(16), 500, HashAlgorithmName.SHA256, HashAlgorithmName.SHA1);
        return new CmpTestProtection(mac.EncodeAlgorithmIdentifier(), Encoding.UTF8.GetBytes(reference), [],
            data => mac.Compute(Encoding.UTF8.GetBytes(secret), data));
    }

    /// <summary>PasswordBasedMac with raw parameters, bounds not checked (to test the server's bounds).</summary>
    public static CmpTestProtection RawPbm(string reference, int saltLength, int iterations)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier("1.2.840.113533.7.66.13");
            using (writer.PushSequence())
            {
                writer.WriteOctetString(new byte[saltLength]);
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier("2.16.840.1.101.3.4.2.1");
                }
                writer.WriteInteger(iterations);
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier("1.3.6.1.5.5.8.1.2");
                }
            }
        }
        return new CmpTestProtection(writer.Encode(), Encoding.UTF8.GetBytes(reference), [], _ => new byte[20]);
    }

    public static CmpTestProtection Signature(ECDsa key, byte[] certificateDer)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier("1.2.840.10045.4.3.2");
        }
        return new CmpTestProtection(writer.Encode(), null, [certificateDer],
            data => key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }
}
