using AmiPki.Core.Audit;
using Microsoft.AspNetCore.Mvc;

namespace AmiPki.Server.Api.Contracts;

/// <summary>
/// Query of <c>GET /api/v1/audit</c>: matching entries oldest first, skipping <see cref="Offset"/> of them. The log only
/// grows at its end, so an offset stays valid while the server appends.
/// </summary>
public sealed class AuditSearch
{
    [FromQuery(Name = "kind")] public string? Kind { get; init; }
    /// <summary>Substring of the actor.</summary>
    [FromQuery(Name = "actor")] public string? Actor { get; init; }
    [FromQuery(Name = "outcome")] public string? Outcome { get; init; }
    [FromQuery(Name = "since")] public DateTimeOffset? Since { get; init; }
    [FromQuery(Name = "until")] public DateTimeOffset? Until { get; init; }
    [FromQuery(Name = "offset")] public int? Offset { get; init; }
    [FromQuery(Name = "limit")] public int? Limit { get; init; }
}

public sealed record AuditEntryView(long Sequence, string Node, DateTimeOffset At, string Kind, string Actor, string Outcome, string Detail, string Hash)
{
    public static AuditEntryView From(AuditEntry e) =>
        new(e.Sequence, e.Node, e.Event.At, e.Event.Kind, e.Event.Actor, e.Event.Outcome, e.Event.Detail, Convert.ToHexStringLower(e.Hash));
}

/// <summary>A page of matching audit entries; <see cref="NextOffset"/> is null when there are no more now.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntryView> Items, int Offset, int Limit, int? NextOffset);

public sealed record AuditVerificationView(bool Intact, long EntriesChecked, long? FirstBadSequence, string? Problem);
