using AmiPki.Core.Approvals;
using Microsoft.AspNetCore.Mvc;

namespace AmiPki.Server.Api.Contracts;

public sealed class RequestSearch
{
    /// <summary>pending (default), approved, rejected, issued or all.</summary>
    [FromQuery(Name = "state")] public string? State { get; init; }
    [FromQuery(Name = "limit")] public int? Limit { get; init; }
}

/// <summary>Body of approve and reject: why (shown to the client when rejected, and audited).</summary>
public sealed record DecisionRequest(string? Reason = null);

public sealed record PendingRequestView(string Id, string State, string Protocol, string Profile, string Requester, string Subject, string? DeviceDetail,
    DateTimeOffset CreatedAt, DateTimeOffset? DecidedAt, string? DecidedBy, string? Reason, string? Issuer, string? Serial, string CsrPem)
{
    public static PendingRequestView From(PendingRequest r) => new(r.Id, r.State.ToString().ToLowerInvariant(), r.Protocol, r.Profile, r.Requester, r.Subject,
        r.DeviceDetail, r.CreatedAt, r.DecidedAt, r.DecidedBy, r.Reason, r.Issuer, r.SerialHex, PemText.Encode("CERTIFICATE REQUEST", r.CsrDer));
}
