using AmiPki.Server.Api.Validation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AmiPki.Server.Api;

/// <summary>How admin API endpoints declare their permission and validated input (read by the middleware and the OpenAPI document).</summary>
public static class AdminEndpointConventions
{
    /// <summary>The permission a call needs; the description names the least role holding it.</summary>
    public static RouteHandlerBuilder Requires(this RouteHandlerBuilder builder, AdminPermission permission)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var least = AdminRoles.LeastFor(permission);
        var roles = Enum.GetValues<AdminRole>().Where(r => AdminRoles.Allows(r, permission)).Select(AdminRoles.NameOf);
        return builder.WithMetadata(new AdminPermissionMetadata(permission))
            .WithDescription($"Needs role {AdminRoles.NameOf(least)} or above (allowed: {string.Join(", ", roles)}).")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
    }

    /// <summary>Validates the <typeparamref name="T"/> argument with FluentValidation first (400 naming the field).</summary>
    public static RouteHandlerBuilder Validated<T>(this RouteHandlerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddEndpointFilter<ValidationFilter<T>>().ProducesValidationProblem();
    }
}
