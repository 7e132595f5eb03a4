namespace AmiPki.Core.Lint.Rfc5280;

/// <summary>RFC 5280 §4.1.2.2: positive, non-zero, at most 20 octets; and 64+ bits as generated (CA/B BR §7.1).</summary>
public sealed class SerialNumberLint : ICertificateLint
{
    public string Name => "rfc5280.serial-number";

    public string? Check(LintTarget certificate, LintContext context)
    {
        var serial = certificate.Serial;
        if (serial.Length == 0 || (serial[0] & 0x80) != 0)
        {
            return "the serial number is not positive";
        }
        if (serial.Length > 20)
        {
            return $"the serial number is {serial.Length} octets (at most 20)";
        }
        if (serial.Length < 9)
        {
            return "the serial number has fewer than 64 bits of entropy";
        }
        return serial.All(b => b == 0) ? "the serial number is zero" : null;
    }
}
