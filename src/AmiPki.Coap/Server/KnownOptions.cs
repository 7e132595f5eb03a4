using AmiPki.Coap.Messages;

namespace AmiPki.Coap.Server;

/// <summary>
/// The options this server recognises, with their length ranges and repeatability (RFC 7252 §5.10 table 4,
/// RFC 7959 §2.1/§4, RFC 7641 §2, RFC 7967 §2). Used to find the critical options it must refuse (§5.4.1).
/// </summary>
internal static class KnownOptions
{
    private readonly record struct Rule(int MinLength, int MaxLength, bool Repeatable);

    private static readonly Dictionary<int, Rule> Rules = new()
    {
        [CoapOptionNumber.IfMatch] = new(0, 8, true),
        [CoapOptionNumber.UriHost] = new(1, 255, false),
        [CoapOptionNumber.ETag] = new(1, 8, true),
        [CoapOptionNumber.IfNoneMatch] = new(0, 0, false),
        [CoapOptionNumber.Observe] = new(0, 3, false),
        [CoapOptionNumber.UriPort] = new(0, 2, false),
        [CoapOptionNumber.LocationPath] = new(0, 255, true),
        [CoapOptionNumber.UriPath] = new(0, 255, true),
        [CoapOptionNumber.ContentFormat] = new(0, 2, false),
        [CoapOptionNumber.MaxAge] = new(0, 4, false),
        [CoapOptionNumber.UriQuery] = new(0, 255, true),
        [CoapOptionNumber.Accept] = new(0, 2, false),
        [CoapOptionNumber.LocationQuery] = new(0, 255, true),
        [CoapOptionNumber.Block2] = new(0, 3, false),
        [CoapOptionNumber.Block1] = new(0, 3, false),
        [CoapOptionNumber.Size2] = new(0, 4, false),
        [CoapOptionNumber.ProxyUri] = new(1, 1034, false),
        [CoapOptionNumber.ProxyScheme] = new(1, 255, false),
        [CoapOptionNumber.Size1] = new(0, 4, false),
        [258] = new(0, 1, false), // No-Response (RFC 7967), elective.
    };

    /// <summary>
    /// Finds a critical option that is unknown, of a wrong length, or repeated when it may not be: all
    /// three are treated as unrecognised (RFC 7252 §5.4.1, §5.4.3, §5.4.5).
    /// </summary>
    public static CoapOption? FindUnacceptableCritical(CoapMessage message)
    {
        int previousNumber = -1;
        foreach (var option in message.Options)
        {
            bool repeated = option.Number == previousNumber;
            previousNumber = option.Number;
            if (!option.IsCritical)
            {
                continue;
            }

            if (!Rules.TryGetValue(option.Number, out var rule)
                || option.Value.Length < rule.MinLength
                || option.Value.Length > rule.MaxLength
                || (repeated && !rule.Repeatable))
            {
                return option;
            }
        }

        return null;
    }

    /// <summary>An elective option with a wrong length is ignored (RFC 7252 §5.4.3), so readers must check.</summary>
    public static bool HasValidLength(CoapOption option) =>
        !Rules.TryGetValue(option.Number, out var rule)
        || (option.Value.Length >= rule.MinLength && option.Value.Length <= rule.MaxLength);
}
