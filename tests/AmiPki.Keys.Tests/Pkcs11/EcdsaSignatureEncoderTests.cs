using System.Security.Cryptography;
using AmiPki.Keys.Pkcs11;
using NUnit.Framework;

namespace AmiPki.Keys.Tests.Pkcs11;

public sealed class EcdsaSignatureEncoderTests
{
    [Test]
    public void Matches_dotnet_conversion_from_IEEE_P1363_for_many_signatures()
    {
        // Covers r/s with the top bit set (needs a 0x00 pad) and with leading zero bytes (must be trimmed).
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        for (var i = 0; i < 200; i++)
        {
            var data = BitConverter.GetBytes(i);
            var raw = key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

            var der = EcdsaSignatureEncoder.ToDer(raw);

            Assert.That(key.VerifyData(data, der, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence), Is.True, $"signature {i}");
        }
    }

    [Test]
    public void Encodes_padding_and_trimming_exactly()
    {
        byte[] raw = [0x00, 0x00, 0x01, 0x02, 0x80, 0x00, 0x00, 0x01];

        Assert.That(EcdsaSignatureEncoder.ToDer(raw), Is.EqualTo(new byte[] { 0x30, 0x0B, 0x02, 0x02, 0x01, 0x02, 0x02, 0x05, 0x00, 0x80, 0x00, 0x00, 0x01 }));
    }

    [TestCase(0)]
    [TestCase(63)]
    public void Refuses_odd_or_empty_input(int length) =>
        Assert.Throws<FormatException>(() => EcdsaSignatureEncoder.ToDer(new byte[length]));
}
