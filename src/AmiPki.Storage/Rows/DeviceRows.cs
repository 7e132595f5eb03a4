using System.Data.Common;
using AmiPki.Core.Devices;

namespace AmiPki.Storage.Rows;

/// <summary>
/// The columns of a registered device and their mapping to <see cref="DeviceRecord"/>, the same in both dialects; each
/// dialect has its own WHERE (PostgreSQL compares the lower-cased keys, SQLite's columns are COLLATE NOCASE).
/// </summary>
internal static class DeviceRows
{
    /// <summary>The SELECT list <see cref="Read"/> maps, in its order.</summary>
    public const string Columns = "system_title, idevid_sha256, idevid_serial, manufacturer, manufacturer_lot, dcu, imported_at, kind";

    /// <summary>Maps one row of <see cref="Columns"/>.</summary>
    public static DeviceRecord Read(DbDataReader row) => new(row.GetString(0), row.NullableString(1), row.NullableString(2),
        row.GetString(3), row.NullableString(4), row.NullableString(5), row.Time(6), row.GetString(7));
}
