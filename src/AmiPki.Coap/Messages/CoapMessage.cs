using System.Text;

namespace AmiPki.Coap.Messages;

/// <summary>
/// A CoAP message as carried in one datagram (RFC 7252 §3): header, token, options in wire order
/// (sorted by number, repeated options keeping their relative order) and payload.
/// </summary>
public sealed class CoapMessage
{
    /// <summary>Tokens are 0 to 8 bytes (RFC 7252 §3, TKL 9–15 reserved).</summary>
    public const int MaxTokenLength = 8;

    private readonly byte[] _token;
    private readonly byte[] _payload;

    public CoapMessage(
        CoapMessageType type,
        byte code,
        ushort messageId,
        ReadOnlySpan<byte> token,
        IEnumerable<CoapOption>? options = null,
        ReadOnlySpan<byte> payload = default)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(token.Length, MaxTokenLength, nameof(token));
        Type = type;
        Code = code;
        MessageId = messageId;
        _token = token.ToArray();
        _payload = payload.ToArray();

        // A stable sort keeps repeated options (Uri-Path segments) in the order given (RFC 7252 §5.4.5).
        Options = (options ?? []).OrderBy(option => option.Number).ToArray();
    }

    public CoapMessageType Type { get; }

    public byte Code { get; }

    public ushort MessageId { get; }

    public ReadOnlyMemory<byte> Token => _token;

    public IReadOnlyList<CoapOption> Options { get; }

    public ReadOnlyMemory<byte> Payload => _payload;

    /// <summary>An Empty message: code 0.00, no token, options or payload (RFC 7252 §4.1).</summary>
    public bool IsEmpty => Code == CoapCode.Empty;

    public bool IsRequest => CoapCode.IsRequest(Code);

    public static CoapMessage CreateEmpty(CoapMessageType type, ushort messageId) =>
        new(type, CoapCode.Empty, messageId, ReadOnlySpan<byte>.Empty);

    public CoapOption? FindOption(int number)
    {
        foreach (var option in Options)
        {
            if (option.Number == number)
            {
                return option;
            }
        }

        return null;
    }

    public IEnumerable<CoapOption> FindOptions(int number) => Options.Where(option => option.Number == number);

    public bool HasOption(int number) => FindOption(number) is not null;

    /// <summary>The Uri-Path segments joined with '/', always starting with '/' (RFC 7252 §6.5).</summary>
    public string GetUriPath()
    {
        var builder = new StringBuilder();
        foreach (var option in FindOptions(CoapOptionNumber.UriPath))
        {
            builder.Append('/').Append(option.GetString());
        }

        return builder.Length == 0 ? "/" : builder.ToString();
    }

    public IReadOnlyList<string> GetUriQueries() =>
        FindOptions(CoapOptionNumber.UriQuery).Select(option => option.GetString()).ToArray();

    public byte[] Encode() => CoapMessageEncoder.Encode(this);

    public static CoapMessage Decode(ReadOnlySpan<byte> datagram) => CoapMessageDecoder.Decode(datagram);

    public override string ToString() =>
        $"{Type} {CoapCode.Format(Code)} mid={MessageId} token={Convert.ToHexString(_token)} " +
        $"options=[{string.Join(", ", Options)}] payload={_payload.Length}B";
}
