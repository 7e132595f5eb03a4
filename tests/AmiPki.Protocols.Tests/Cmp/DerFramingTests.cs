using System.Formats.Asn1;
using AmiPki.Protocols.Cmp;
using NUnit.Framework;

namespace AmiPki.Protocols.Tests.Cmp;

/// <summary>The hand-written DER framing of CMP messages encodes exactly as AsnWriter does, at every length form (X.690 §8.1.3).</summary>
public sealed class DerFramingTests
{
    [TestCase(0)]
    [TestCase(127)]
    [TestCase(128)]
    [TestCase(255)]
    [TestCase(256)]
    [TestCase(65_535)]
    [TestCase(65_536)]
    public void Wrap_matches_AsnWriter(int contentLength)
    {
        var first = new byte[contentLength / 3];
        var second = new byte[contentLength - first.Length];
        Random.Shared.NextBytes(first);
        Random.Shared.NextBytes(second);
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteOctetString([.. first, .. second]);
        var expected = writer.Encode();

        var actual = DerFraming.Wrap(0x04, first, second);

        Assert.That(actual, Is.EqualTo(expected));
        Assert.That(DerFraming.Size(contentLength), Is.EqualTo(expected.Length));
    }
}
