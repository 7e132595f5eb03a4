using System.Text;
using AmiPki.Coap.Messages;

namespace AmiPki.Coap.Server;

/// <summary>
/// What a resource handler answers. The server adds the message type, id, token and the block-wise
/// options; a payload larger than the negotiated block size is sent with Block2 (RFC 7959 §2.4).
/// </summary>
public sealed class CoapResponse
{
    public CoapResponse(byte code)
    {
        Code = code;
    }

    public byte Code { get; }

    public ReadOnlyMemory<byte> Payload { get; init; }

    public int? ContentFormat { get; init; }

    /// <summary>Max-Age in seconds (RFC 7252 §5.10.5), e.g. how long to wait after 5.03.</summary>
    public uint? MaxAge { get; init; }

    /// <summary>Any further options (ETag, Location-Path, ...). Block and size options are the server's.</summary>
    public IReadOnlyList<CoapOption> Options { get; init; } = [];

    public static CoapResponse Content(ReadOnlyMemory<byte> payload, int contentFormat) =>
        new(CoapCode.Content) { Payload = payload, ContentFormat = contentFormat };

    public static CoapResponse Changed(ReadOnlyMemory<byte> payload, int contentFormat) =>
        new(CoapCode.Changed) { Payload = payload, ContentFormat = contentFormat };

    /// <summary>An error with a diagnostic payload: UTF-8 text, no Content-Format (RFC 7252 §5.5.2).</summary>
    public static CoapResponse Error(byte code, string? diagnostic = null) =>
        new(code) { Payload = diagnostic is null ? ReadOnlyMemory<byte>.Empty : Encoding.UTF8.GetBytes(diagnostic) };

    internal IEnumerable<CoapOption> BuildOptions()
    {
        foreach (var option in Options)
        {
            yield return option;
        }

        if (ContentFormat is { } contentFormat)
        {
            yield return CoapOption.FromUInt(CoapOptionNumber.ContentFormat, (uint)contentFormat);
        }

        if (MaxAge is { } maxAge)
        {
            yield return CoapOption.FromUInt(CoapOptionNumber.MaxAge, maxAge);
        }
    }
}
