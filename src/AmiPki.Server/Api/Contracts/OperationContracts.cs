namespace AmiPki.Server.Api.Contracts;

/// <summary>
/// A long-running admin operation (bulk revocation, device import) as <c>GET /api/v1/operations/{id}</c> shows it:
/// state running, succeeded or failed; the current phase with done/total; and the result once finished.
/// </summary>
public sealed record OperationView(string Id, string Kind, string Actor, string State, string Phase, long Done, long Total, DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt, object? Result, string? Error);
