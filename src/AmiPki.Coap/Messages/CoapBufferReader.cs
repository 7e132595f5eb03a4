using System.Buffers.Binary;

namespace AmiPki.Coap.Messages;

/// <summary>
/// A bounds-checked forward reader over one datagram. Every overrun becomes a
/// <see cref="CoapFormatException"/>, never an <see cref="IndexOutOfRangeException"/>.
/// (A ref struct cannot be derived from: it is sealed by construction.)
/// </summary>
internal ref struct CoapBufferReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    public CoapBufferReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly int Remaining => _buffer.Length - _position;

    public readonly bool AtEnd => _position == _buffer.Length;

    public byte ReadByte()
    {
        Require(1, "byte");
        return _buffer[_position++];
    }

    public byte PeekByte()
    {
        Require(1, "byte");
        return _buffer[_position];
    }

    public ushort ReadUInt16BigEndian()
    {
        Require(2, "16-bit value");
        ushort value = BinaryPrimitives.ReadUInt16BigEndian(_buffer.Slice(_position, 2));
        _position += 2;
        return value;
    }

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        Require(count, $"{count} bytes");
        var bytes = _buffer.Slice(_position, count);
        _position += count;
        return bytes;
    }

    public ReadOnlySpan<byte> ReadToEnd()
    {
        var rest = _buffer[_position..];
        _position = _buffer.Length;
        return rest;
    }

    private readonly void Require(int count, string what)
    {
        if (count < 0 || count > Remaining)
        {
            throw new CoapFormatException(
                $"truncated datagram: needed {what} at offset {_position}, {Remaining} bytes left");
        }
    }
}
