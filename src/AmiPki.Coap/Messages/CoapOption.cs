using System.Text;

namespace AmiPki.Coap.Messages;

/// <summary>One option instance: its number and its raw value (RFC 7252 §3.1, §5.4).</summary>
public sealed class CoapOption
{
    private readonly byte[] _value;

    public CoapOption(int number, ReadOnlySpan<byte> value)
    {
        // Option numbers are 16-bit on the wire (RFC 7252 §3.1: delta up to 269 + 65535 is unreachable).
        ArgumentOutOfRangeException.ThrowIfNegative(number);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(number, ushort.MaxValue);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value.Length, CoapMessageEncoder.MaxOptionLength);
        Number = number;
        _value = value.ToArray();
    }

    public int Number { get; }

    public ReadOnlyMemory<byte> Value => _value;

    public bool IsCritical => CoapOptionNumber.IsCritical(Number);

    public static CoapOption FromUInt(int number, uint value) => new(number, UIntOptionValue.Encode(value));

    public static CoapOption FromString(int number, string value) => new(number, Encoding.UTF8.GetBytes(value));

    public static CoapOption Empty(int number) => new(number, ReadOnlySpan<byte>.Empty);

    /// <summary>The value as a uint (RFC 7252 §3.2); longer than 4 bytes is a format error.</summary>
    public uint GetUInt() => UIntOptionValue.Decode(_value);

    public string GetString() => Encoding.UTF8.GetString(_value);

    public override string ToString() => $"{Number}:{Convert.ToHexString(_value)}";
}
