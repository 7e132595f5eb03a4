using System.Data.Common;
using AmiPki.Core.Crl;

namespace AmiPki.Storage.Rows;

/// <summary>
/// A published CRL as both dialects store it (table <c>published_crls</c>, migration 0010): its columns and their mapping
/// to <see cref="PublishedCrl"/>, and the checks every write makes before it reaches the database.
/// </summary>
internal static class PublishedCrlRows
{
    public const string Complete = "complete";
    public const string Delta = "delta";

    /// <summary>The SELECT list <see cref="Read"/> maps, in its order.</summary>
    public const string Columns = "issuer, number, delta_base, this_update, next_update, der, entry_count";

    public static string Kind(bool delta) => delta ? Delta : Complete;

    /// <summary>Maps one row of <see cref="Columns"/>.</summary>
    public static PublishedCrl Read(DbDataReader row) => new(row.GetString(0), row.GetInt64(1), row.IsDBNull(2) ? null : row.GetInt64(2),
        row.Time(3), row.Time(4), row.Bytes(5), row.GetInt32(6));

    public static void Validate(PublishedCrl crl)
    {
        ArgumentNullException.ThrowIfNull(crl);
        ArgumentException.ThrowIfNullOrEmpty(crl.Issuer, nameof(crl));
        ArgumentOutOfRangeException.ThrowIfLessThan(crl.Number, 1, nameof(crl));
        ArgumentOutOfRangeException.ThrowIfNegative(crl.EntryCount, nameof(crl));
        if (crl.Der is not { Length: > 0 })
        {
            throw new ArgumentException("a published CRL needs its DER", nameof(crl));
        }
    }

    public static void ValidatePrune(string issuer, int keep)
    {
        ArgumentException.ThrowIfNullOrEmpty(issuer);
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
    }
}
