using System.Data.Common;
using AmiPki.Storage.Sqlite;

namespace AmiPki.Storage.Rows;

/// <summary>
/// Column reads shared by the row mappers of both dialects, over <see cref="DbDataReader"/>: both store times as
/// fixed-width text (<see cref="SqliteTime"/>) and blobs as bytes, so only the SQL around a row differs.
/// </summary>
internal static class RowValues
{
    public static string? NullableString(this DbDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : row.GetString(ordinal);

    public static DateTimeOffset Time(this DbDataReader row, int ordinal) => SqliteTime.FromText(row.GetString(ordinal));

    public static DateTimeOffset? NullableTime(this DbDataReader row, int ordinal) =>
        row.IsDBNull(ordinal) ? null : SqliteTime.FromText(row.GetString(ordinal));

    public static byte[] Bytes(this DbDataReader row, int ordinal) => (byte[])row.GetValue(ordinal);

    public static byte[]? NullableBytes(this DbDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : (byte[])row.GetValue(ordinal);

    /// <summary>Maps every remaining row with <paramref name="read"/>.</summary>
    public static async Task<List<T>> ToListAsync<T>(this DbDataReader row, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        var items = new List<T>();
        while (await row.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            items.Add(read(row));
        }
        return items;
    }

    /// <summary>Maps every remaining row with <paramref name="read"/>, synchronously (SQLite, whose calls block anyway).</summary>
    public static List<T> ToList<T>(this DbDataReader row, Func<DbDataReader, T> read)
    {
        var items = new List<T>();
        while (row.Read())
        {
            items.Add(read(row));
        }
        return items;
    }

    /// <summary>Maps the first row with <paramref name="read"/>, or null when there is none (the queries look up a key).</summary>
    public static async Task<T?> FirstOrNullAsync<T>(this DbDataReader row, Func<DbDataReader, T> read, CancellationToken cancellationToken)
        where T : class =>
        await row.ReadAsync(cancellationToken).ConfigureAwait(false) ? read(row) : null;
}
