using System.Security.Cryptography;

namespace AmiPki.Core.Issuance;

/// <summary>
/// Serial numbers: 16 CSPRNG bytes, positive (RFC 5280 §4.1.2.2: positive, at most 20 octets; CA/B BR 7.1: 64+ bits
/// of CSPRNG output). The top bit is cleared so the DER INTEGER needs no leading zero, and a zero first byte is
/// redrawn so the encoding stays minimal and always 16 octets.
/// </summary>
public static class SerialNumberGenerator
{
    public const int Length = 16;

    public static byte[] Next()
    {
        var serial = new byte[Length];
        do
        {
            RandomNumberGenerator.Fill(serial);
            serial[0] &= 0x7F;
        }
        while (serial[0] == 0);
        return serial;
    }
}
