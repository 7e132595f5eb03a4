using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace AmiPki.Core.Audit;

/// <summary>
/// The hash chain over audit entries: each entry's hash covers the previous entry's hash, its own sequence number,
/// node and event fields, so a deleted, altered or reordered entry breaks every hash after it.
/// </summary>
public static class AuditChain
{
    /// <summary>The "previous hash" of the first entry of a node.</summary>
    public static byte[] Genesis { get; } = new byte[32];

    public static byte[] ComputeHash(ReadOnlySpan<byte> previousHash, long sequence, string node, AuditEvent auditEvent)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(previousHash);
        Span<byte> number = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(number, sequence);
        hash.AppendData(number);
        // Length-prefixed fields, so moving text from one field to the next changes the hash.
        AppendField(hash, node);
        AppendField(hash, auditEvent.At.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        AppendField(hash, auditEvent.Kind);
        AppendField(hash, auditEvent.Actor);
        AppendField(hash, auditEvent.Outcome);
        AppendField(hash, auditEvent.Detail);
        return hash.GetHashAndReset();
    }

    private static void AppendField(IncrementalHash hash, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
    }
}
