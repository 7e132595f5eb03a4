using System.Data.Common;
using AmiPki.Core.Operations;

namespace AmiPki.Storage.Rows;

/// <summary>
/// An operational identity as both dialects store it (table <c>operational_identities</c>, migration 0007): its columns
/// and their mapping to <see cref="OperationalIdentity"/>, and the checks every write makes before it reaches the database.
/// </summary>
internal static class OperationalIdentityRows
{
    /// <summary>The largest key or certificate stored (64 KiB): one key and one certificate, not a file store.</summary>
    public const int MaxBlobBytes = 1 << 16;

    /// <summary>The SELECT list <see cref="Read"/> maps, in its order.</summary>
    public const string Columns =
        "name, encrypted_key, certificate, not_after, previous_encrypted_key, previous_certificate, previous_not_after, updated_at, version";

    /// <summary>Maps one row of <see cref="Columns"/>.</summary>
    public static OperationalIdentity Read(DbDataReader row) => new(row.GetString(0), row.Bytes(1), row.Bytes(2), row.Time(3), row.Time(7), row.GetInt64(8))
    {
        PreviousEncryptedKey = row.NullableBytes(4),
        PreviousCertificateDer = row.NullableBytes(5),
        PreviousNotAfter = row.NullableTime(6),
    };

    /// <summary>
    /// Refuses what no write may store: a missing name, key or certificate, blobs above <see cref="MaxBlobBytes"/>, half a
    /// previous identity, or a negative expected version.
    /// </summary>
    public static void Validate(OperationalIdentity identity, long expectedVersion)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentException.ThrowIfNullOrEmpty(identity.Name, nameof(identity));
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        if (identity.EncryptedKey is not { Length: > 0 } || identity.CertificateDer is not { Length: > 0 })
        {
            throw new ArgumentException($"the {identity.Name} identity needs an encrypted key and a certificate", nameof(identity));
        }
        if ((identity.PreviousEncryptedKey is null) != (identity.PreviousCertificateDer is null))
        {
            throw new ArgumentException($"the {identity.Name} identity's previous key and certificate go together", nameof(identity));
        }
        foreach (var blob in new[] { identity.EncryptedKey, identity.CertificateDer, identity.PreviousEncryptedKey, identity.PreviousCertificateDer })
        {
            if (blob is { Length: > MaxBlobBytes })
            {
                throw new ArgumentException($"the {identity.Name} identity holds a {blob.Length}-byte value; at most {MaxBlobBytes} are stored", nameof(identity));
            }
        }
    }
}
