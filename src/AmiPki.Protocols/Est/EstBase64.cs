using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace AmiPki.Protocols.Est;

/// <summary>
/// Base64 as EST carries it (RFC 7030 §4, RFC 8951 §2): written wrapped at 64 characters; read with or without line
/// breaks, and PEM armour (-----BEGIN ...-----) accepted too, since real clients send all of these.
/// </summary>
internal static class EstBase64
{
    private const int LineLength = 64;

    public static string Encode(ReadOnlySpan<byte> der)
    {
        var base64 = Convert.ToBase64String(der);
        var builder = new StringBuilder(base64.Length + base64.Length / LineLength + 2);
        for (var i = 0; i < base64.Length; i += LineLength)
        {
            builder.Append(base64, i, Math.Min(LineLength, base64.Length - i)).Append('\n');
        }
        return builder.ToString();
    }

    /// <summary>Decodes a base64 (or PEM) body; false if it is not base64 at all or decodes to nothing.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> body, out byte[] der)
    {
        der = [];
        if (body.Length == 0)
        {
            return false;
        }
        var chars = ArrayPool<char>.Shared.Rent(body.Length);
        try
        {
            var count = 0;
            foreach (var b in body)
            {
                if (b > 0x7F)
                {
                    return false;
                }
                chars[count++] = (char)b;
            }
            ReadOnlySpan<char> text = chars.AsSpan(0, count);
            if (text.IndexOf("-----BEGIN", StringComparison.Ordinal) >= 0)
            {
                if (!PemEncoding.TryFind(text, out var fields))
                {
                    return false;
                }
                text = text[fields.Base64Data];
            }
            var compact = ArrayPool<char>.Shared.Rent(text.Length);
            try
            {
                var length = 0;
                foreach (var c in text)
                {
                    if (c is not (' ' or '\r' or '\n' or '\t'))
                    {
                        compact[length++] = c;
                    }
                }
                if (length == 0)
                {
                    return false;
                }
                var buffer = new byte[length / 4 * 3 + 3];
                if (!Convert.TryFromBase64Chars(compact.AsSpan(0, length), buffer, out var written) || written == 0)
                {
                    return false;
                }
                der = buffer.AsSpan(0, written).ToArray();
                return true;
            }
            finally
            {
                ArrayPool<char>.Shared.Return(compact);
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }
}
