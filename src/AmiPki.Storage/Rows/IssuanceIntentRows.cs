using System.Data.Common;
using AmiPki.Core.Storage;

namespace AmiPki.Storage.Rows;

/// <summary>The columns of a certificate row that make its <see cref="IssuanceIntent"/> and their mapping, the same in both dialects.</summary>
internal static class IssuanceIntentRows
{
    /// <summary>The SELECT (or RETURNING) list <see cref="Read"/> maps, in its order.</summary>
    public const string Columns = "issuer, serial_hex, profile, subject, not_before, not_after, requester, protocol, created_at, "
        + "system_title, dcu, manufacturer_lot, device_id, tbs_der";

    /// <summary>Maps one row of <see cref="Columns"/>.</summary>
    public static IssuanceIntent Read(DbDataReader row) => new(row.GetString(0), row.GetString(1), row.GetString(2), row.GetString(3),
        row.Time(4), row.Time(5), row.GetString(6), row.GetString(7), row.Time(8), row.NullableString(9), row.NullableString(10),
        row.NullableString(11), row.NullableString(12), row.NullableBytes(13));
}
