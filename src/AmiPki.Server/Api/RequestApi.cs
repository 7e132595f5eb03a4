using AmiPki.Core.Approvals;
using AmiPki.Server.Api.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace AmiPki.Server.Api;

/// <summary><c>/api/v1/requests</c>: requests of manual-approval profiles — list, show, approve, reject (<see cref="ApprovalService"/>).</summary>
public static class RequestApi
{
    public static RouteGroupBuilder MapRequests(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var group = api.MapGroup("/requests").WithTags("Pending requests");
        group.MapGet("/", async ([AsParameters] RequestSearch query, IPendingRequestStore store, CancellationToken ct) =>
                TypedResults.Ok((await store.ListAsync(ApprovalService.ParseStateFilter(query.State ?? "pending"), query.Limit ?? 100, ct))
                    .Select(PendingRequestView.From).ToList()))
            .Requires(AdminPermission.Read).Validated<RequestSearch>().WithName("listRequests");
        group.MapGet("/{id}", async (string id, IPendingRequestStore store, CancellationToken ct) =>
                TypedResults.Ok(PendingRequestView.From(await store.FindAsync(id.Trim().ToLowerInvariant(), ct) ?? throw new KeyNotFoundException($"no request {id}"))))
            .Requires(AdminPermission.Read).WithName("showRequest").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/approve", (string id, [FromBody] DecisionRequest body, AdminIdentity admin, ApprovalService approvals, CancellationToken ct) =>
                DecideAsync(approvals, id, approve: true, body, admin, ct))
            .Requires(AdminPermission.Operate).Validated<DecisionRequest>().WithName("approveRequest")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{id}/reject", (string id, [FromBody] DecisionRequest body, AdminIdentity admin, ApprovalService approvals, CancellationToken ct) =>
                DecideAsync(approvals, id, approve: false, body, admin, ct))
            .Requires(AdminPermission.Operate).Validated<DecisionRequest>().WithName("rejectRequest")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    private static async Task<Ok<PendingRequestView>> DecideAsync(ApprovalService approvals, string id, bool approve, DecisionRequest body, AdminIdentity admin,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(PendingRequestView.From(await approvals.DecideAsync(id, approve, admin.Actor, body.Reason, cancellationToken)));
}
