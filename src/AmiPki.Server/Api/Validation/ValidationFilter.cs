using FluentValidation;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AmiPki.Server.Api.Validation;

/// <summary>
/// Validates the handler's <typeparamref name="T"/> argument with its FluentValidation validator before the handler
/// runs; a failure answers an RFC 9457 validation problem (400) whose <c>errors</c> name each bad field in camelCase,
/// as the JSON and query names are.
/// </summary>
public sealed class ValidationFilter<T> : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var validator = context.HttpContext.RequestServices.GetRequiredService<IValidator<T>>();
        var argument = context.Arguments.OfType<T>().FirstOrDefault();
        if (argument is null)
        {
            return Problem(context.HttpContext, new Dictionary<string, string[]> { ["body"] = ["a JSON body is required"] });
        }
        var result = await validator.ValidateAsync(argument, context.HttpContext.RequestAborted);
        if (result.IsValid)
        {
            return await next(context);
        }
        var errors = result.Errors
            .GroupBy(e => CamelCase(e.PropertyName), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
        return Problem(context.HttpContext, errors);
    }

    private static IResult Problem(HttpContext context, Dictionary<string, string[]> errors) =>
        Results.ValidationProblem(errors, detail: string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")), instance: context.Request.Path);

    /// <summary><c>Serials[0].Serial</c> → <c>serials[0].serial</c>.</summary>
    private static string CamelCase(string propertyName) =>
        string.Join('.', propertyName.Split('.').Select(part => part.Length == 0 ? part : char.ToLowerInvariant(part[0]) + part[1..]));
}
