using System.Security.Cryptography;

namespace AmiPki.Cli.Commands;

/// <summary>Reads PEM-or-DER files and writes PEM.</summary>
public static class PemFiles
{
    public static byte[] ReadDer(string path, params string[] labels)
    {
        var bytes = File.ReadAllBytes(path);
        var text = System.Text.Encoding.ASCII.GetString(bytes);
        if (!text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            return bytes;
        }
        foreach (var (label, der) in EnumeratePem(text))
        {
            if (labels.Contains(label))
            {
                return der;
            }
        }
        throw new FormatException($"{path}: no PEM block labelled {string.Join(" or ", labels)}");
    }

    public static IEnumerable<(string Label, byte[] Der)> EnumeratePem(string text)
    {
        var remaining = text.AsMemory();
        while (PemEncoding.TryFind(remaining.Span, out var fields))
        {
            var label = remaining.Span[fields.Label].ToString();
            var der = Convert.FromBase64String(remaining.Span[fields.Base64Data].ToString());
            yield return (label, der);
            remaining = remaining[fields.Location.End..];
        }
    }

    public static string Encode(string label, ReadOnlySpan<byte> der) => new string(PemEncoding.Write(label, der)) + "\n";
}
