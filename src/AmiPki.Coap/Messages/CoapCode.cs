namespace AmiPki.Coap.Messages;

/// <summary>
/// Method and response codes, class &lt;&lt; 5 | detail (RFC 7252 §5.2, §12.1; RFC 7959 §2.9 for 2.31/4.08/4.13).
/// </summary>
public static class CoapCode
{
    public const byte Empty = 0x00;

    public const byte Get = 0x01;
    public const byte Post = 0x02;
    public const byte Put = 0x03;
    public const byte Delete = 0x04;
    public const byte Fetch = 0x05;

    public const byte Created = 0x41;
    public const byte Deleted = 0x42;
    public const byte Valid = 0x43;
    public const byte Changed = 0x44;
    public const byte Content = 0x45;
    public const byte Continue = 0x5F;

    public const byte BadRequest = 0x80;
    public const byte Unauthorized = 0x81;
    public const byte BadOption = 0x82;
    public const byte Forbidden = 0x83;
    public const byte NotFound = 0x84;
    public const byte MethodNotAllowed = 0x85;
    public const byte NotAcceptable = 0x86;
    public const byte RequestEntityIncomplete = 0x88;
    public const byte PreconditionFailed = 0x8C;
    public const byte RequestEntityTooLarge = 0x8D;
    public const byte UnsupportedContentFormat = 0x8F;

    public const byte InternalServerError = 0xA0;
    public const byte NotImplemented = 0xA1;
    public const byte BadGateway = 0xA2;
    public const byte ServiceUnavailable = 0xA3;
    public const byte GatewayTimeout = 0xA4;
    public const byte ProxyingNotSupported = 0xA5;

    public static byte Create(int codeClass, int detail) => (byte)((codeClass << 5) | detail);

    public static int ClassOf(byte code) => code >> 5;

    public static int DetailOf(byte code) => code & 0x1F;

    /// <summary>Requests are class 0 with a non-zero detail (RFC 7252 §5.2).</summary>
    public static bool IsRequest(byte code) => ClassOf(code) == 0 && code != Empty;

    /// <summary>Responses are classes 2, 4 and 5 (RFC 7252 §5.2; 1, 3, 6, 7 are reserved).</summary>
    public static bool IsResponse(byte code) => ClassOf(code) is 2 or 4 or 5;

    /// <summary>The dotted "c.dd" form used by the RFCs and by coap-client's output.</summary>
    public static string Format(byte code) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{ClassOf(code)}.{DetailOf(code):D2}");
}
