using AmiPki.Core.Audit;
using AmiPki.Core.Telemetry;
using AmiPki.Core.Validation;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace AmiPki.Server.Api;

/// <summary>
/// In front of every <c>/api/v1</c> call: authenticates the client certificate (<see cref="AdminAuthenticator"/>),
/// checks the endpoint's <see cref="AdminPermissionMetadata"/> against the role, turns refusals into RFC 9457 problem
/// details (400 naming the field, 401, 403, 404, 409), and audits every call — who, what, and the result — whatever it was.
/// </summary>
public sealed class AdminApiMiddleware
{
    private readonly RequestDelegate _next;
    private readonly AdminAuthenticator _authenticator;
    private readonly IAuditLog _audit;
    private readonly TimeProvider _time;

    public AdminApiMiddleware(RequestDelegate next, AdminAuthenticator authenticator, IAuditLog audit, TimeProvider time)
    {
        _next = next;
        _authenticator = authenticator;
        _audit = audit;
        _time = time;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments(AdminApi.BasePath, StringComparison.Ordinal))
        {
            await _next(context);
            return;
        }
        var endpoint = context.GetEndpoint();
        var route = (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)";
        AdminIdentity? identity = null;
        string? refusal = null;
        Exception? unhandled = null;
        try
        {
            if (endpoint?.Metadata.GetMetadata<AdminPublicMetadata>() is null)
            {
                var authentication = await _authenticator.AuthenticateAsync(context);
                identity = authentication.Identity;
                if (identity is null)
                {
                    refusal = authentication.Problem;
                    await ProblemAsync(context, authentication.Status, authentication.Problem!);
                    return;
                }
                // Routing's own answers (404 no route, 405, 415 wrong content type) are not route endpoints: any admin may get them.
                // A route endpoint that declares no permission is held to the strictest.
                var permission = endpoint is RouteEndpoint routeEndpoint
                    ? routeEndpoint.Metadata.GetMetadata<AdminPermissionMetadata>()?.Permission ?? AdminPermission.Administer
                    : AdminPermission.Read;
                if (!AdminRoles.Allows(identity.Role, permission))
                {
                    refusal = $"role {AdminRoles.NameOf(identity.Role)} may not {context.Request.Method} {route}: "
                              + $"it needs {AdminRoles.NameOf(AdminRoles.LeastFor(permission))} or above";
                    await ProblemAsync(context, StatusCodes.Status403Forbidden, refusal);
                    return;
                }
                identity.AttachTo(context);
            }
            await RunAsync(context, e => refusal = e);
        }
        catch (Exception e)
        {
            // Not a refusal a service meant: the host answers 500 (or the client is gone); the audit says so, not "200".
            unhandled = e;
            refusal = $"{e.GetType().Name}: {e.Message}";
            throw;
        }
        finally
        {
            var status = unhandled is null ? context.Response.StatusCode : StatusCodes.Status500InternalServerError;
            AmiPkiMetrics.AdminApiRequests.Add(1, new(AmiPkiMetrics.Tags.Method, context.Request.Method), new(AmiPkiMetrics.Tags.Route, route),
                new(AmiPkiMetrics.Tags.Status, status));
            var outcome = status < 400 ? "success" : status < 500 ? "refused" : "failed";
            var actor = identity?.Actor ?? $"{Core.Profiles.EnrollmentProtocol.AdminApi}:anonymous@{context.Connection.RemoteIpAddress}";
            var role = identity is null ? "" : $" role={AdminRoles.NameOf(identity.Role)}";
            // Audited after the answer is decided, and even if the client went away: CancellationToken.None.
            await _audit.AppendAsync(new AuditEvent(_time.GetUtcNow(), "admin-api", actor, outcome,
                $"{context.Request.Method} {context.Request.Path}{context.Request.QueryString} route={route} status={status}{role}"
                + (refusal is null ? "" : $" reason={refusal}")), CancellationToken.None);
        }
    }

    /// <summary>Runs the endpoint, mapping the refusals services throw to problem details.</summary>
    private async Task RunAsync(HttpContext context, Action<string> refused)
    {
        try
        {
            await _next(context);
            if (context.Response.StatusCode >= 400 && !context.Response.HasStarted)
            {
                // An empty error (routing's 404/405/415) still gets a problem body saying what it is.
                var status = context.Response.StatusCode;
                var detail = status switch
                {
                    StatusCodes.Status404NotFound => $"no admin API endpoint {context.Request.Path}",
                    StatusCodes.Status405MethodNotAllowed => $"{context.Request.Method} is not allowed on {context.Request.Path}",
                    StatusCodes.Status415UnsupportedMediaType => $"content type '{context.Request.ContentType}' is not accepted here",
                    _ => ReasonPhrases.GetReasonPhrase(status),
                };
                refused(detail);
                await ProblemAsync(context, status, detail);
            }
        }
        catch (Exception e) when (!context.Response.HasStarted && Map(context, e) is { } problem)
        {
            refused(problem.Detail);
            if (problem.Field is null)
            {
                await ProblemAsync(context, problem.Status, problem.Detail);
            }
            else
            {
                await ValidationProblemAsync(context, new Dictionary<string, string[]> { [problem.Field] = [problem.Detail] });
            }
        }
    }

    private static MappedProblem? Map(HttpContext context, Exception e) => e switch
    {
        InvalidInputException invalid => new(StatusCodes.Status400BadRequest, invalid.Field, invalid.Message),
        // Binding failures name the query parameter or JSON path and what was expected, never a .NET type or C# parameter.
        BadHttpRequestException { StatusCode: StatusCodes.Status400BadRequest } bad => Binding(context, bad),
        // 413 body too large, 408 too slow, ...: Kestrel's own status, without a field.
        BadHttpRequestException other => new(other.StatusCode, null, other.Message),
        KeyNotFoundException missing => new(StatusCodes.Status404NotFound, null, missing.Message),
        ArgumentException argument => new(StatusCodes.Status400BadRequest, argument.ParamName, WithoutParameterSuffix(argument)),
        FormatException format => new(StatusCodes.Status400BadRequest, null, format.Message),
        InvalidOperationException conflict => new(StatusCodes.Status409Conflict, null, conflict.Message),
        _ => null,
    };

    private static MappedProblem Binding(HttpContext context, BadHttpRequestException bad)
    {
        var (field, detail) = BindingProblems.Describe(context, bad);
        return new(StatusCodes.Status400BadRequest, field, detail);
    }

    /// <summary>An <see cref="ArgumentException"/>'s message without the " (Parameter 'name')" .NET appends, which names C# code.</summary>
    private static string WithoutParameterSuffix(ArgumentException argument)
    {
        var message = argument.Message;
        var suffix = $" (Parameter '{argument.ParamName}')";
        return argument.ParamName is not null && message.EndsWith(suffix, StringComparison.Ordinal) ? message[..^suffix.Length] : message;
    }

    /// <summary>
    /// Writes a problem; a 401 carries <c>WWW-Authenticate</c> (RFC 9110 §15.5.2) with <see cref="AdminAuthentication.Challenge"/>.
    /// </summary>
    public static Task ProblemAsync(HttpContext context, int status, string detail)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = AdminAuthentication.Challenge;
        }
        return Results.Problem(detail: detail, statusCode: status, instance: context.Request.Path).ExecuteAsync(context);
    }

    public static Task ValidationProblemAsync(HttpContext context, IDictionary<string, string[]> errors) =>
        Results.ValidationProblem(errors, detail: string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")),
            instance: context.Request.Path).ExecuteAsync(context);

    private sealed record MappedProblem(int Status, string? Field, string Detail);
}
