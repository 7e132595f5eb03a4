using AmiPki.Server.Admin;
using AmiPki.Server.Api.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace AmiPki.Server.Api;

/// <summary>
/// <c>/api/v1/credentials</c>: EST accounts, CMP reference numbers and SCEP challenges — create (the secret is in the
/// answer once), list (never secrets), delete — through <see cref="EnrollmentCredentialAdmin"/>, as the CLI does.
/// Creating and deleting grant or withdraw enrollment, so they need the administrator role.
/// </summary>
public static class CredentialApi
{
    private const string EstPath = "est-accounts";
    private const string CmpPath = "cmp-references";
    private const string ScepPath = "scep-challenges";

    public static RouteGroupBuilder MapCredentials(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var group = api.MapGroup("/credentials").WithTags("Enrollment credentials");

        group.MapPost($"/{EstPath}", async ([FromBody] NewEstAccount body, AdminIdentity admin, EnrollmentCredentialAdmin credentials, CancellationToken ct) =>
            {
                var lifetime = body.ExpiresIn is null ? (TimeSpan?)null : Lifetime(body.ExpiresIn);
                var created = await credentials.AddEstAccountAsync(body.Name, body.Profiles, body.Subject, lifetime, body.OneTime, body.Secret, admin.Actor, ct);
                return Created(EstPath, created);
            })
            .Requires(AdminPermission.Administer).Validated<NewEstAccount>().WithName("createEstAccount").ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost($"/{CmpPath}", async ([FromBody] NewCmpReference body, AdminIdentity admin, EnrollmentCredentialAdmin credentials, CancellationToken ct) =>
            {
                var created = await credentials.AddCmpReferenceAsync(body.Reference, body.Profiles, body.Subject, Lifetime(body.ExpiresIn), !body.Reusable,
                    body.Secret, admin.Actor, ct);
                return Created(CmpPath, created);
            })
            .Requires(AdminPermission.Administer).Validated<NewCmpReference>().WithName("createCmpReference").ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost($"/{ScepPath}", async ([FromBody] NewScepChallenge body, AdminIdentity admin, EnrollmentCredentialAdmin credentials, CancellationToken ct) =>
            {
                var created = await credentials.AddScepChallengeAsync(body.Profile, body.Subject, Lifetime(body.ExpiresIn), admin.Actor, ct);
                return Created(ScepPath, created);
            })
            .Requires(AdminPermission.Administer).Validated<NewScepChallenge>().WithName("createScepChallenge");

        foreach (var (path, kind, label) in new[]
                 {
                     (EstPath, EnrollmentCredentialAdmin.EstAccountKind, "EstAccounts"),
                     (CmpPath, EnrollmentCredentialAdmin.CmpReferenceKind, "CmpReferences"),
                     (ScepPath, EnrollmentCredentialAdmin.ScepChallengeKind, "ScepChallenges"),
                 })
        {
            group.MapGet($"/{path}", async (EnrollmentCredentialAdmin credentials, CancellationToken ct) =>
                    TypedResults.Ok((await credentials.ListAsync(kind, ct)).Select(c => CredentialView.From(c)).ToList()))
                .Requires(AdminPermission.Read).WithName($"list{label}");
            group.MapDelete($"/{path}/{{name}}", async (string name, AdminIdentity admin, EnrollmentCredentialAdmin credentials, CancellationToken ct) =>
                {
                    if (!await credentials.DeleteAsync(kind, name, admin.Actor, ct))
                    {
                        throw new KeyNotFoundException($"no {kind} named '{name}'");
                    }
                    return TypedResults.NoContent();
                })
                .Requires(AdminPermission.Administer).WithName($"delete{label}").ProducesProblem(StatusCodes.Status404NotFound);
        }
        return api;
    }

    private static Created<CredentialView> Created(string path, CreatedCredential created) =>
        TypedResults.Created($"{AdminApi.BasePath}/credentials/{path}/{Uri.EscapeDataString(created.Credential.Name)}",
            CredentialView.From(created.Credential, created.Secret));

    /// <summary>Validated already (FluentValidation); absent means the 7-day default.</summary>
    private static TimeSpan Lifetime(string? text) =>
        text is null ? EnrollmentCredentialAdmin.DefaultLifetime : DurationText.TryParse(text, out var lifetime) ? lifetime
            : throw new Core.Validation.InvalidInputException("expiresIn", $"expected {DurationText.Expected}");
}
