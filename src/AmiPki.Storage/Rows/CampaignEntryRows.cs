using System.Data.Common;
using AmiPki.Core.Campaigns;

namespace AmiPki.Storage.Rows;

/// <summary>
/// A renewal campaign entry as both dialects store it: its columns and their mapping to <see cref="CampaignEntry"/>, the
/// per-DCU summary's row, and the state column's text. Each dialect has its own WHERE and ORDER BY (PostgreSQL orders
/// serials by <c>serial_key</c>).
/// </summary>
internal static class CampaignEntryRows
{
    /// <summary>The SELECT list <see cref="Read"/> maps, in its order.</summary>
    public const string Columns = "issuer, serial_hex, profile, subject, system_title, dcu, not_after, certificate_created_at, scheduled_at, "
        + "state, attempts, next_attempt_at, last_error, notified_at, renewed_at, renewed_by_serial, created_at";

    /// <summary>Maps one row of <see cref="Columns"/>.</summary>
    public static CampaignEntry Read(DbDataReader row) => new(row.GetString(0), row.GetString(1), row.GetString(2), row.GetString(3),
        row.NullableString(4), row.GetString(5), row.Time(6), row.Time(7), row.Time(8), ParseState(row.GetString(9)), row.GetInt32(10),
        row.NullableTime(11), row.NullableString(12), row.NullableTime(13), row.NullableTime(14), row.NullableString(15), row.Time(16));

    /// <summary>
    /// Maps one row of a per-DCU summary: dcu, the due, notified, renewed and overdue counts (64-bit in both dialects),
    /// and the first and last scheduled times.
    /// </summary>
    public static CampaignDcuSummary ReadSummary(DbDataReader row) => new(row.GetString(0), (int)row.GetInt64(1), (int)row.GetInt64(2),
        (int)row.GetInt64(3), (int)row.GetInt64(4), row.Time(5), row.Time(6));

    public static string StateText(CampaignEntryState state) => state switch
    {
        CampaignEntryState.Due => "due",
        CampaignEntryState.Notified => "notified",
        CampaignEntryState.Renewed => "renewed",
        CampaignEntryState.Overdue => "overdue",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    private static CampaignEntryState ParseState(string text) => text switch
    {
        "due" => CampaignEntryState.Due,
        "notified" => CampaignEntryState.Notified,
        "renewed" => CampaignEntryState.Renewed,
        "overdue" => CampaignEntryState.Overdue,
        _ => throw new InvalidOperationException($"unknown campaign entry state '{text}' in the database"),
    };
}
