using AmiPki.Server.Api.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace AmiPki.Server.Api;

/// <summary><c>/api/v1/operations</c>: progress and results of bulk revocations and device imports.</summary>
public static class OperationApi
{
    public const string RouteName = "showOperation";

    public static RouteGroupBuilder MapOperations(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var group = api.MapGroup("/operations").WithTags("Operations");
        group.MapGet("/", (AdminOperations operations) => TypedResults.Ok(operations.Recent().Select(o => o.View()).ToList()))
            .Requires(AdminPermission.Read).WithName("listOperations");
        group.MapGet("/{id}", (string id, AdminOperations operations) =>
                TypedResults.Ok((operations.Find(id) ?? throw new KeyNotFoundException($"no operation {id} (operations are kept in memory until restart)")).View()))
            .Requires(AdminPermission.Read).WithName(RouteName).ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }
}
