using System.Data.Common;
using System.Text.Json;
using AmiPki.Core.Credentials;

namespace AmiPki.Storage.Rows;

/// <summary>
/// The columns of an enrollment credential and their mapping to <see cref="EnrollmentCredential"/>, the same in both
/// dialects: profiles are a JSON array in a text column, times fixed-width text, one_time an integer flag.
/// </summary>
internal static class CredentialRows
{
    /// <summary>The SELECT list <see cref="Read"/> maps, in its order.</summary>
    public const string Columns = "kind, name, secret_hash, profiles, subject, expires_at, one_time, used_at, created_at";

    /// <summary>The text stored in the profiles column.</summary>
    public static string ProfilesText(EnrollmentCredential credential) => JsonSerializer.Serialize(credential.Profiles);

    /// <summary>Maps one row of <see cref="Columns"/>.</summary>
    public static EnrollmentCredential Read(DbDataReader row) => new(row.GetString(0), row.GetString(1), row.GetString(2),
        JsonSerializer.Deserialize<string[]>(row.GetString(3)) ?? [], row.NullableString(4), row.NullableTime(5), row.GetInt32(6) != 0,
        row.NullableTime(7), row.Time(8));
}
