using AmiPki.Core.Campaigns;
using AmiPki.Core.Jobs;
using Microsoft.AspNetCore.Mvc;

namespace AmiPki.Server.Api.Contracts;

/// <summary>Filters of <c>GET /api/v1/campaigns/{dcu}</c>.</summary>
public sealed class CampaignSearch
{
    /// <summary>due, notified, renewed or overdue.</summary>
    [FromQuery(Name = "state")] public string? State { get; init; }
    [FromQuery(Name = "profile")] public string? Profile { get; init; }
    [FromQuery(Name = "limit")] public int? Limit { get; init; }
    [FromQuery(Name = "offset")] public int? Offset { get; init; }
}

/// <summary>One page of a DCU's campaign entries; <see cref="NextOffset"/> is null on the last page.</summary>
public sealed record CampaignPage(string Dcu, IReadOnlyList<CampaignEntryView> Items, int Offset, int Limit, int? NextOffset);

public sealed record CampaignEntryView(string Issuer, string Serial, string Profile, string Subject, string? SystemTitle, string Dcu,
    DateTimeOffset NotAfter, DateTimeOffset ScheduledAt, string State, int Attempts, DateTimeOffset? NextAttemptAt, string? LastError,
    DateTimeOffset? NotifiedAt, DateTimeOffset? RenewedAt, string? RenewedBySerial)
{
    public static CampaignEntryView From(CampaignEntry entry) => new(entry.Issuer, entry.SerialHex, entry.Profile, entry.Subject, entry.SystemTitle,
        entry.Dcu, entry.NotAfter, entry.ScheduledAt, CampaignStates.Text(entry.State), entry.Attempts, entry.NextAttemptAt, entry.LastError,
        entry.NotifiedAt, entry.RenewedAt, entry.RenewedBySerial);
}

public sealed record JobView(string Name, DateTimeOffset? NextDueAt, DateTimeOffset? LastStartedAt, DateTimeOffset? LastFinishedAt,
    string? LastOutcome, string? LastDetail, long Runs, long Failures)
{
    public static JobView From(string name, JobScheduleRecord? record) => new(name, record?.NextDueAt, record?.LastStartedAt,
        record?.LastFinishedAt, record?.LastOutcome, record?.LastDetail, record?.Runs ?? 0, record?.Failures ?? 0);
}

/// <summary>The words the API uses for <see cref="CampaignEntryState"/>, both ways.</summary>
public static class CampaignStates
{
    public static string Text(CampaignEntryState state) => state.ToString().ToLowerInvariant();

    public static bool TryParse(string? text, out CampaignEntryState? state)
    {
        state = null;
        if (text is null)
        {
            return true;
        }
        foreach (var value in Enum.GetValues<CampaignEntryState>())
        {
            if (string.Equals(Text(value), text, StringComparison.OrdinalIgnoreCase))
            {
                state = value;
                return true;
            }
        }
        return false;
    }
}
