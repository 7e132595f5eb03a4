using AmiPki.Core.Profiles;
using AmiPki.Server.Api.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AmiPki.Server.Api;

/// <summary>
/// <c>/api/v1/profiles</c>: the loaded certificate profiles with their effective authorization matrix (the same as
/// <c>amipki profiles show --json</c>); readable by every admin role.
/// </summary>
public static class ProfileApi
{
    public static RouteGroupBuilder MapProfiles(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var group = api.MapGroup("/profiles").WithTags("Profiles");
        group.MapGet("/", List).Requires(AdminPermission.Read).WithName("listProfiles")
            .WithSummary("Every profile: issuers, key algorithms, subject rule, and per protocol who may enroll or renew (default deny)");
        group.MapGet("/{name}", Show).Requires(AdminPermission.Read).WithName("showProfile")
            .WithSummary("One profile and its authorization matrix; 404 lists the known profile names")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static Ok<IReadOnlyList<ProfileView>> List(ProfileSet profiles) => TypedResults.Ok(ProfileView.All(profiles));

    private static Ok<ProfileView> Show(string name, ProfileSet profiles) => TypedResults.Ok(ProfileView.Find(profiles, name));
}
