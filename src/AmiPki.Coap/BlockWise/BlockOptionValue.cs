using AmiPki.Coap.Messages;

namespace AmiPki.Coap.BlockWise;

/// <summary>
/// A Block1/Block2 option value: NUM &lt;&lt; 4 | M &lt;&lt; 3 | SZX, block size 2^(SZX+4) (RFC 7959 §2.2).
/// </summary>
public readonly record struct BlockOptionValue
{
    /// <summary>SZX 0..6 (16..1024 bytes); 7 is reserved (RFC 7959 §2.2).</summary>
    public const int MaxSizeExponent = 6;

    /// <summary>NUM fits in 20 bits: the option is at most 3 bytes (RFC 7959 §2.2).</summary>
    public const int MaxNumber = (1 << 20) - 1;

    public BlockOptionValue(int number, bool more, int sizeExponent)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(number);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(number, MaxNumber);
        ArgumentOutOfRangeException.ThrowIfNegative(sizeExponent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sizeExponent, MaxSizeExponent);
        Number = number;
        More = more;
        SizeExponent = sizeExponent;
    }

    public int Number { get; }

    public bool More { get; }

    public int SizeExponent { get; }

    public int Size => SizeFromExponent(SizeExponent);

    /// <summary>Byte offset of this block in the whole body (RFC 7959 §2.2).</summary>
    public long Offset => (long)Number * Size;

    public static int SizeFromExponent(int sizeExponent) => 1 << (sizeExponent + 4);

    /// <summary>The largest SZX whose size is at most <paramref name="size"/> bytes (16 minimum).</summary>
    public static int ExponentForSize(int size)
    {
        int exponent = 0;
        while (exponent < MaxSizeExponent && SizeFromExponent(exponent + 1) <= size)
        {
            exponent++;
        }

        return exponent;
    }

    public uint Encode() => ((uint)Number << 4) | (More ? 0x8u : 0u) | (uint)SizeExponent;

    public CoapOption ToOption(int optionNumber) => CoapOption.FromUInt(optionNumber, Encode());

    /// <summary>Reads a Block1/Block2 option value; false for a reserved SZX 7 or a value over 3 bytes.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> value, out BlockOptionValue block)
    {
        block = default;
        if (value.Length > 3)
        {
            return false;
        }

        uint raw = UIntOptionValue.Decode(value);
        int sizeExponent = (int)(raw & 0x7);
        if (sizeExponent > MaxSizeExponent)
        {
            return false;
        }

        block = new BlockOptionValue((int)(raw >> 4), (raw & 0x8) != 0, sizeExponent);
        return true;
    }

    public override string ToString() => $"{Number}/{(More ? 1 : 0)}/{Size}";
}
