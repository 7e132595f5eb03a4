using AmiPki.Coap.BlockWise;
using NUnit.Framework;

namespace AmiPki.Coap.Tests.BlockWise;

[TestFixture]
public sealed class BlockOptionValueTests
{
    [TestCase(0, false, 0, 16)]
    [TestCase(1, true, 2, 64)]
    [TestCase(4095, true, 6, 1024)]
    [TestCase(BlockOptionValue.MaxNumber, false, 6, 1024)]
    public void Round_trips_through_the_option_encoding(int number, bool more, int exponent, int size)
    {
        var block = new BlockOptionValue(number, more, exponent);
        var option = block.ToOption(27);

        Assert.That(BlockOptionValue.TryDecode(option.Value.Span, out var decoded), Is.True);
        Assert.That(decoded, Is.EqualTo(block));
        Assert.That(decoded.Size, Is.EqualTo(size));
        Assert.That(option.Value.Length, Is.LessThanOrEqualTo(3));
    }

    [Test]
    public void Encodes_num_m_szx_as_in_rfc_7959()
    {
        // NUM 1, M 1, SZX 2 → 0x1A.
        Assert.That(new BlockOptionValue(1, true, 2).Encode(), Is.EqualTo(0x1A));
    }

    [Test]
    public void Rejects_the_reserved_szx_and_overlong_values()
    {
        Assert.That(BlockOptionValue.TryDecode([0x07], out _), Is.False);
        Assert.That(BlockOptionValue.TryDecode([1, 0, 0, 0], out _), Is.False);
    }

    [TestCase(16, 0)]
    [TestCase(64, 2)]
    [TestCase(100, 2)]
    [TestCase(5000, 6)]
    public void Finds_the_largest_exponent_under_a_size(int size, int exponent) =>
        Assert.That(BlockOptionValue.ExponentForSize(size), Is.EqualTo(exponent));

    [Test]
    public void Slices_bodies_and_refuses_blocks_beyond_the_end()
    {
        var body = new byte[100];
        Assert.That(Block2Slicer.TrySlice(body, 0, 2, out var first, out bool more), Is.True);
        Assert.That((first.Length, more), Is.EqualTo((64, true)));
        Assert.That(Block2Slicer.TrySlice(body, 1, 2, out var last, out more), Is.True);
        Assert.That((last.Length, more), Is.EqualTo((36, false)));
        Assert.That(Block2Slicer.TrySlice(body, 2, 2, out _, out _), Is.False);
        Assert.That(Block2Slicer.TrySlice(ReadOnlyMemory<byte>.Empty, 0, 2, out var empty, out more), Is.True);
        Assert.That((empty.Length, more), Is.EqualTo((0, false)));
    }

    [Test]
    public void Chooses_the_clients_size_or_smaller() =>
        Assert.Multiple(() =>
        {
            Assert.That(Block2Slicer.ChooseSizeExponent(new BlockOptionValue(0, false, 2), 6), Is.EqualTo(2));
            Assert.That(Block2Slicer.ChooseSizeExponent(new BlockOptionValue(0, false, 6), 4), Is.EqualTo(4));
            Assert.That(Block2Slicer.ChooseSizeExponent(null, 5), Is.EqualTo(5));
        });
}
